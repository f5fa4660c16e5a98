"""llama-cpp-python's OpenAI-compatible server (``python -m llama_cpp.server``) with the model in
plain CPU buffers (see llamacpp.plain_cpu_buffers), for LLM_PROVIDER=openai on one machine:

    python -m llm_tutor.llamacpp_server --model model.gguf --model_alias tutor --host 127.0.0.1 --port 8080

Takes the same arguments as ``python -m llama_cpp.server``; needs requirements-llm.txt.
"""

import runpy
import sys

from llm_tutor.llamacpp import plain_cpu_buffers

if __name__ == "__main__":
    sys.argv[0] = "llama_cpp.server"
    with plain_cpu_buffers():  # for the server's whole life (it loads the model at start)
        runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
