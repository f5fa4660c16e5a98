"""Stop Twisted from parsing POST bodies under Daphne.

Twisted's HTTP request reads a whole multipart body into memory to fill
``request.args`` (which Daphne never uses: it hands the raw body to Django), and on
a malformed body answers a bare 400 with no JSON before Django sees it. Uploads of
lesson videos are large, and bad input must get our JSON error, so Django alone
parses bodies.
"""


def stop_twisted_form_parsing() -> None:
    try:
        from daphne.http_protocol import WebRequest
    except ImportError:  # served by another ASGI server
        return
    if getattr(WebRequest, "_mrict_patched", False):
        return
    original_init = WebRequest.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self._parsePOSTFormSubmission = False

    WebRequest.__init__ = __init__
    WebRequest._mrict_patched = True
