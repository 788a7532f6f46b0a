"""From an import name to the distribution that provides it, without any installed metadata.

``import yaml`` means ``pyyaml`` and ``from google.cloud import storage`` means
``google-cloud-storage``: the import scan can only name frameworks if it knows these
mismatches. The table holds the common ones (keys are import names, dotted for namespace
packages; values are PEP 503 normalised); a name not in it is its own distribution. What a
workspace really declares or has installed is passed in as ``known`` and wins.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from stackskills.detectors.names import normalise

_REMOVED_OR_NEWER_STDLIB = frozenset(
    {
        # removed in 3.10-3.13: old code still imports them, they are no distribution
        "asynchat", "asyncore", "audioop", "binhex", "cgi", "cgitb", "chunk", "crypt",
        "distutils", "formatter", "imghdr", "imp", "lib2to3", "mailcap", "msilib", "nis",
        "nntplib", "ossaudiodev", "parser", "pipes", "smtpd", "sndhdr", "spwd", "sunau",
        "symbol", "telnetlib", "uu", "xdrlib", "_dummy_thread", "dummy_threading",
        # added in 3.11-3.14
        "tomllib", "annotationlib", "compression", "_pyrepl", "_colorize",
        # not modules of the file system, but never a distribution either
        "__future__", "__main__", "_typeshed", "builtins",
        # Python 2 names, met in ``try: import cPickle`` fallbacks
        "__builtin__", "BaseHTTPServer", "ConfigParser", "Cookie", "HTMLParser", "Queue",
        "SimpleHTTPServer", "SocketServer", "StringIO", "Tkinter", "UserDict", "cPickle",
        "cStringIO", "commands", "cookielib", "copy_reg", "htmlentitydefs", "httplib",
        "md5", "sets", "thread", "urllib2", "urlparse", "xmlrpclib",
    }
)  # fmt: skip
_STDLIB = frozenset(sys.stdlib_module_names) | _REMOVED_OR_NEWER_STDLIB

NAMESPACE_ROOTS = frozenset(
    {
        "azure", "backports", "collective", "databricks", "flufl", "google", "jaraco",
        "keyrings", "mysql", "nvidia", "opentelemetry", "plone", "pyannote", "ruamel",
        "snowflake", "sphinxcontrib", "zope",
    }
)  # fmt: skip
"""Top-level names shared by many distributions: alone, they name none of them."""

_PYWIN32_MODULES = (
    "pythoncom", "pywintypes", "servicemanager", "win32api", "win32clipboard", "win32com",
    "win32comext", "win32con", "win32cred", "win32crypt", "win32event", "win32evtlog",
    "win32file", "win32gui", "win32job", "win32net", "win32pdh", "win32pipe", "win32print",
    "win32process", "win32profile", "win32security", "win32service", "win32serviceutil",
    "win32timezone", "win32ts", "win32ui", "winerror",
)  # fmt: skip

_TABLE: dict[str, str] = {
    # Django and its ecosystem
    "rest_framework": "djangorestframework",
    "rest_framework_simplejwt": "djangorestframework-simplejwt",
    "rest_framework_jwt": "djangorestframework-jwt",
    "rest_framework_gis": "djangorestframework-gis",
    "rest_framework_api_key": "djangorestframework-api-key",
    "rest_framework_csv": "djangorestframework-csv",
    "rest_framework_xml": "djangorestframework-xml",
    "rest_framework_dataclasses": "djangorestframework-dataclasses",
    "rest_framework_camel_case": "djangorestframework-camel-case",
    "rest_framework_json_api": "djangorestframework-jsonapi",
    "rest_framework_nested": "drf-nested-routers",
    "rest_framework_extensions": "drf-extensions",
    "adminsortable2": "django-admin-sortable2",
    "admin_interface": "django-admin-interface",
    "allauth": "django-allauth",
    "anymail": "django-anymail",
    "auditlog": "django-auditlog",
    "axes": "django-axes",
    "bootstrap4": "django-bootstrap4",
    "cachalot": "django-cachalot",
    "cacheops": "django-cacheops",
    "ckeditor": "django-ckeditor",
    "ckeditor_uploader": "django-ckeditor",
    "cms": "django-cms",
    "colorfield": "django-colorfield",
    "compressor": "django-compressor",
    "configurations": "django-configurations",
    "constance": "django-constance",
    "corsheaders": "django-cors-headers",
    "crispy_forms": "django-crispy-forms",
    "csp": "django-csp",
    "dbbackup": "django-dbbackup",
    "debug_toolbar": "django-debug-toolbar",
    "djcelery": "django-celery",
    "djmoney": "django-money",
    "django_filters": "django-filter",
    "environ": "django-environ",
    "extra_views": "django-extra-views",
    "filer": "django-filer",
    "formtools": "django-formtools",
    "grappelli": "django-grappelli",
    "guardian": "django-guardian",
    "haystack": "django-haystack",
    "health_check": "django-health-check",
    "hijack": "django-hijack",
    "imagekit": "django-imagekit",
    "import_export": "django-import-export",
    "jazzmin": "django-jazzmin",
    "knox": "django-rest-knox",
    "localflavor": "django-localflavor",
    "markdownx": "django-markdownx",
    "model_utils": "django-model-utils",
    "modeltranslation": "django-modeltranslation",
    "mptt": "django-mptt",
    "nested_admin": "django-nested-admin",
    "ninja": "django-ninja",
    "ninja_extra": "django-ninja-extra",
    "oauth2_provider": "django-oauth-toolkit",
    "ordered_model": "django-ordered-model",
    "parler": "django-parler",
    "pghistory": "django-pghistory",
    "pgtrigger": "django-pgtrigger",
    "phonenumber_field": "django-phonenumber-field",
    "polymorphic": "django-polymorphic",
    "post_office": "django-post-office",
    "rest_auth": "django-rest-auth",
    "reversion": "django-reversion",
    "safedelete": "django-safedelete",
    "silk": "django-silk",
    "simple_history": "django-simple-history",
    "social_core": "social-auth-core",
    "social_django": "social-auth-app-django",
    "solo": "django-solo",
    "sorl": "sorl-thumbnail",
    "split_settings": "django-split-settings",
    "storages": "django-storages",
    "strawberry_django": "strawberry-graphql-django",
    "taggit": "django-taggit",
    "tinymce": "django-tinymce",
    "treebeard": "django-treebeard",
    "two_factor": "django-two-factor-auth",
    "waffle": "django-waffle",
    "watson": "django-watson",
    "widget_tweaks": "django-widget-tweaks",
    # web, APIs, auth
    "OpenSSL": "pyopenssl",
    "Crypto": "pycryptodome",
    "Cryptodome": "pycryptodomex",
    "argon2": "argon2-cffi",
    "dotenv": "python-dotenv",
    "ldclient": "launchdarkly-server-sdk",
    "gnosis": "safe-eth-py",
    "googleclouddebugger": "google-python-cloud-debugger",
    "googlecloudprofiler": "google-cloud-profiler",
    "webpack_loader": "django-webpack-loader",
    "rosetta": "django-rosetta",
    "hamcrest": "pyhamcrest",
    "modelcluster": "django-modelcluster",
    "permissionedforms": "django-permissionedforms",
    "rest_flex_fields": "drf-flex-fields",
    "decouple": "python-decouple",
    "engineio": "python-engineio",
    "graphql": "graphql-core",
    "jose": "python-jose",
    "jwt": "pyjwt",
    "multipart": "python-multipart",
    "nacl": "pynacl",
    "onelogin": "python3-saml",
    "saml2": "pysaml2",
    "socketio": "python-socketio",
    "socks": "pysocks",
    "sockshandler": "pysocks",
    "strawberry": "strawberry-graphql",
    "websocket": "websocket-client",
    "geventwebsocket": "gevent-websocket",
    "uwsgidecorators": "uwsgi",
    "keycloak": "python-keycloak",
    "ldap": "python-ldap",
    "spnego": "pyspnego",
    "jks": "pyjks",
    "box": "python-box",
    "slugify": "python-slugify",
    "ulid": "python-ulid",
    "stdnum": "python-stdnum",
    "rapidjson": "python-rapidjson",
    "frontmatter": "python-frontmatter",
    "mimeparse": "python-mimeparse",
    "sass": "libsass",
    "scss": "pyscss",
    "dkim": "dkimpy",
    "spf": "pyspf",
    "mailparser": "mail-parser",
    "seleniumwire": "selenium-wire",
    "newspaper": "newspaper3k",
    "readability": "readability-lxml",
    "bs4": "beautifulsoup4",
    "dns": "dnspython",
    "whois": "python-whois",
    "nmap": "python-nmap",
    "smbclient": "smbprotocol",
    "smb": "pysmb",
    "nmb": "pysmb",
    # data formats and general purpose
    "yaml": "pyyaml",
    "_yaml": "pyyaml",
    "ruamel.yaml": "ruamel-yaml",
    "attr": "attrs",
    "dateutil": "python-dateutil",
    "magic": "python-magic",
    "editor": "python-editor",
    "Levenshtein": "levenshtein",  # same name: listed for python-levenshtein's sake
    "progressbar": "progressbar2",
    "memcache": "python-memcached",
    "snappy": "python-snappy",
    "pythonjsonlogger": "python-json-logger",
    "logstash": "python-logstash",
    "daemon": "python-daemon",
    "crontab": "python-crontab",
    "pam": "python-pam",
    "gnupg": "python-gnupg",
    "barcode": "python-barcode",
    "delegator": "delegator-py",
    "speech_recognition": "speechrecognition",
    "ffmpeg": "ffmpeg-python",
    "vlc": "python-vlc",
    "Xlib": "python-xlib",
    "pkg_resources": "setuptools",
    "_distutils_hack": "setuptools",
    "pyximport": "cython",
    "sipbuild": "sip",
    "_cffi_backend": "cffi",
    "poetry.core": "poetry-core",
    "keyrings.alt": "keyrings-alt",
    "backports.zoneinfo": "backports-zoneinfo",
    "backports.tarfile": "backports-tarfile",
    "backports.functools_lru_cache": "backports-functools-lru-cache",
    "backports.ssl_match_hostname": "backports-ssl-match-hostname",
    "jaraco.classes": "jaraco-classes",
    "jaraco.context": "jaraco-context",
    "jaraco.functools": "jaraco-functools",
    "jaraco.text": "jaraco-text",
    "zope.interface": "zope-interface",
    "zope.event": "zope-event",
    "zope.component": "zope-component",
    "zope.deprecation": "zope-deprecation",
    "zope.schema": "zope-schema",
    "zope.sqlalchemy": "zope-sqlalchemy",
    "sphinxcontrib.applehelp": "sphinxcontrib-applehelp",
    "sphinxcontrib.devhelp": "sphinxcontrib-devhelp",
    "sphinxcontrib.htmlhelp": "sphinxcontrib-htmlhelp",
    "sphinxcontrib.jsmath": "sphinxcontrib-jsmath",
    "sphinxcontrib.qthelp": "sphinxcontrib-qthelp",
    "sphinxcontrib.serializinghtml": "sphinxcontrib-serializinghtml",
    "sphinxcontrib.mermaid": "sphinxcontrib-mermaid",
    # testing
    "_pytest": "pytest",
    "xdist": "pytest-xdist",
    "factory": "factory-boy",
    "vcr": "vcrpy",
    "allure": "allure-python-commons",
    # databases, queues, storage
    "MySQLdb": "mysqlclient",
    "mysql.connector": "mysql-connector-python",
    "bson": "pymongo",
    "gridfs": "pymongo",
    "playhouse": "peewee",
    "cassandra": "cassandra-driver",
    "kafka": "kafka-python",
    "nats": "nats-py",
    "paho": "paho-mqtt",
    "pulsar": "pulsar-client",
    "stomp": "stomp-py",
    "impala": "impyla",
    "tortoise": "tortoise-orm",
    "opensearchpy": "opensearch-py",
    "weaviate": "weaviate-client",
    "jpype": "jpype1",
    "clr": "pythonnet",
    "snowflake.connector": "snowflake-connector-python",
    "snowflake.snowpark": "snowflake-snowpark-python",
    "snowflake.sqlalchemy": "snowflake-sqlalchemy",
    "databricks.sdk": "databricks-sdk",
    "databricks.sql": "databricks-sql-connector",
    "databricks.connect": "databricks-connect",
    "delta": "delta-spark",
    "dbt": "dbt-core",
    # data science and machine learning
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "skopt": "scikit-optimize",
    "skvideo": "scikit-video",
    "imblearn": "imbalanced-learn",
    "cv2": "opencv-python",
    "PIL": "pillow",
    "mpl_toolkits": "matplotlib",
    "mpl_toolkits.basemap": "basemap",
    "pylab": "matplotlib",
    "umap": "umap-learn",
    "faiss": "faiss-cpu",
    "Bio": "biopython",
    "talib": "ta-lib",
    "hydra": "hydra-core",
    "absl": "absl-py",
    "community": "python-louvain",
    "paddle": "paddlepaddle",
    "whisper": "openai-whisper",
    "llama_cpp": "llama-cpp-python",
    "osgeo": "gdal",
    "tabula": "tabula-py",
    "camelot": "camelot-py",
    "fitz": "pymupdf",
    "pdfminer": "pdfminer-six",
    "fpdf": "fpdf2",
    "docx": "python-docx",
    "pptx": "python-pptx",
    "odf": "odfpy",
    "vertexai": "google-cloud-aiplatform",
    "pyannote.audio": "pyannote-audio",
    "pyannote.core": "pyannote-core",
    "llama_index.core": "llama-index-core",
    "llama_index.llms.openai": "llama-index-llms-openai",
    "llama_index.embeddings.openai": "llama-index-embeddings-openai",
    "OpenGL": "pyopengl",
    "OpenGL_accelerate": "pyopengl-accelerate",
    # protobuf and gRPC
    "google.protobuf": "protobuf",
    "grpc": "grpcio",
    "grpc_tools": "grpcio-tools",
    "grpc_status": "grpcio-status",
    "grpc_health": "grpcio-health-checking",
    "grpc_reflection": "grpcio-reflection",
    # Google
    "google.auth": "google-auth",
    "google.oauth2": "google-auth",
    "google.api_core": "google-api-core",
    "google.api": "googleapis-common-protos",
    "google.rpc": "googleapis-common-protos",
    "google.type": "googleapis-common-protos",
    "google.longrunning": "googleapis-common-protos",
    "googleapiclient": "google-api-python-client",
    "apiclient": "google-api-python-client",
    "google.genai": "google-genai",
    "google.generativeai": "google-generativeai",
    "google.adk": "google-adk",
    "google.appengine": "appengine-python-standard",
    "google.cloud.client": "google-cloud-core",
    "google.cloud.exceptions": "google-cloud-core",
    "google.cloud.aiplatform": "google-cloud-aiplatform",
    "google.cloud.bigquery": "google-cloud-bigquery",
    "google.cloud.bigquery_storage": "google-cloud-bigquery-storage",
    "google.cloud.bigquery_storage_v1": "google-cloud-bigquery-storage",
    "google.cloud.bigtable": "google-cloud-bigtable",
    "google.cloud.compute_v1": "google-cloud-compute",
    "google.cloud.container": "google-cloud-container",
    "google.cloud.datastore": "google-cloud-datastore",
    "google.cloud.dataproc": "google-cloud-dataproc",
    "google.cloud.dlp": "google-cloud-dlp",
    "google.cloud.documentai": "google-cloud-documentai",
    "google.cloud.error_reporting": "google-cloud-error-reporting",
    "google.cloud.firestore": "google-cloud-firestore",
    "google.cloud.firestore_v1": "google-cloud-firestore",
    "google.cloud.functions": "google-cloud-functions",
    "google.cloud.kms": "google-cloud-kms",
    "google.cloud.language": "google-cloud-language",
    "google.cloud.logging": "google-cloud-logging",
    "google.cloud.monitoring": "google-cloud-monitoring",
    "google.cloud.monitoring_v3": "google-cloud-monitoring",
    "google.cloud.ndb": "google-cloud-ndb",
    "google.cloud.pubsub": "google-cloud-pubsub",
    "google.cloud.pubsub_v1": "google-cloud-pubsub",
    "google.cloud.redis": "google-cloud-redis",
    "google.cloud.resourcemanager": "google-cloud-resource-manager",
    "google.cloud.run_v2": "google-cloud-run",
    "google.cloud.scheduler": "google-cloud-scheduler",
    "google.cloud.secretmanager": "google-cloud-secret-manager",
    "google.cloud.spanner": "google-cloud-spanner",
    "google.cloud.speech": "google-cloud-speech",
    "google.cloud.sql.connector": "cloud-sql-python-connector",
    "google.cloud.storage": "google-cloud-storage",
    "google.cloud.tasks": "google-cloud-tasks",
    "google.cloud.tasks_v2": "google-cloud-tasks",
    "google.cloud.texttospeech": "google-cloud-texttospeech",
    "google.cloud.translate": "google-cloud-translate",
    "google.cloud.translate_v2": "google-cloud-translate",
    "google.cloud.translate_v3": "google-cloud-translate",
    "google.cloud.vision": "google-cloud-vision",
    # Azure
    "azure.core": "azure-core",
    "azure.identity": "azure-identity",
    "azure.storage.blob": "azure-storage-blob",
    "azure.storage.queue": "azure-storage-queue",
    "azure.storage.filedatalake": "azure-storage-file-datalake",
    "azure.storage.fileshare": "azure-storage-file-share",
    "azure.keyvault.secrets": "azure-keyvault-secrets",
    "azure.keyvault.keys": "azure-keyvault-keys",
    "azure.keyvault.certificates": "azure-keyvault-certificates",
    "azure.cosmos": "azure-cosmos",
    "azure.servicebus": "azure-servicebus",
    "azure.eventhub": "azure-eventhub",
    "azure.eventgrid": "azure-eventgrid",
    "azure.functions": "azure-functions",
    "azure.data.tables": "azure-data-tables",
    "azure.appconfiguration": "azure-appconfiguration",
    "azure.search.documents": "azure-search-documents",
    "azure.monitor.opentelemetry": "azure-monitor-opentelemetry",
    "azure.ai.formrecognizer": "azure-ai-formrecognizer",
    "azure.ai.textanalytics": "azure-ai-textanalytics",
    "azure.ai.inference": "azure-ai-inference",
    "azure.ai.ml": "azure-ai-ml",
    "azure.cognitiveservices.speech": "azure-cognitiveservices-speech",
    "azure.communication.email": "azure-communication-email",
    "azure.kusto.data": "azure-kusto-data",
    "azure.mgmt.core": "azure-mgmt-core",
    "azure.mgmt.resource": "azure-mgmt-resource",
    "azure.mgmt.compute": "azure-mgmt-compute",
    "azure.mgmt.network": "azure-mgmt-network",
    "azure.mgmt.storage": "azure-mgmt-storage",
    "azureml.core": "azureml-core",
    "msgraph": "msgraph-sdk",
    "office365": "office365-rest-python-client",
    # OpenTelemetry
    "opentelemetry.trace": "opentelemetry-api",
    "opentelemetry.context": "opentelemetry-api",
    "opentelemetry.propagate": "opentelemetry-api",
    "opentelemetry.baggage": "opentelemetry-api",
    "opentelemetry.metrics": "opentelemetry-api",
    "opentelemetry._logs": "opentelemetry-api",
    "opentelemetry.sdk": "opentelemetry-sdk",
    "opentelemetry.semconv": "opentelemetry-semantic-conventions",
    "opentelemetry.distro": "opentelemetry-distro",
    "opentelemetry.propagators.b3": "opentelemetry-propagator-b3",
    "opentelemetry.exporter.otlp.proto.grpc": "opentelemetry-exporter-otlp-proto-grpc",
    "opentelemetry.exporter.otlp.proto.http": "opentelemetry-exporter-otlp-proto-http",
    "opentelemetry.exporter.otlp.proto.common": "opentelemetry-exporter-otlp-proto-common",
    "opentelemetry.exporter.prometheus": "opentelemetry-exporter-prometheus",
    "opentelemetry.instrumentation": "opentelemetry-instrumentation",
    "opentelemetry.instrumentation.aiohttp_client": "opentelemetry-instrumentation-aiohttp-client",
    "opentelemetry.instrumentation.asgi": "opentelemetry-instrumentation-asgi",
    "opentelemetry.instrumentation.celery": "opentelemetry-instrumentation-celery",
    "opentelemetry.instrumentation.django": "opentelemetry-instrumentation-django",
    "opentelemetry.instrumentation.fastapi": "opentelemetry-instrumentation-fastapi",
    "opentelemetry.instrumentation.flask": "opentelemetry-instrumentation-flask",
    "opentelemetry.instrumentation.httpx": "opentelemetry-instrumentation-httpx",
    "opentelemetry.instrumentation.logging": "opentelemetry-instrumentation-logging",
    "opentelemetry.instrumentation.psycopg2": "opentelemetry-instrumentation-psycopg2",
    "opentelemetry.instrumentation.redis": "opentelemetry-instrumentation-redis",
    "opentelemetry.instrumentation.requests": "opentelemetry-instrumentation-requests",
    "opentelemetry.instrumentation.sqlalchemy": "opentelemetry-instrumentation-sqlalchemy",
    "opentelemetry.instrumentation.wsgi": "opentelemetry-instrumentation-wsgi",
    # other clouds and infrastructure
    "airflow": "apache-airflow",
    "airflow.providers.amazon": "apache-airflow-providers-amazon",
    "airflow.providers.celery": "apache-airflow-providers-celery",
    "airflow.providers.cncf.kubernetes": "apache-airflow-providers-cncf-kubernetes",
    "airflow.providers.common.sql": "apache-airflow-providers-common-sql",
    "airflow.providers.databricks": "apache-airflow-providers-databricks",
    "airflow.providers.docker": "apache-airflow-providers-docker",
    "airflow.providers.google": "apache-airflow-providers-google",
    "airflow.providers.http": "apache-airflow-providers-http",
    "airflow.providers.microsoft.azure": "apache-airflow-providers-microsoft-azure",
    "airflow.providers.mysql": "apache-airflow-providers-mysql",
    "airflow.providers.postgres": "apache-airflow-providers-postgres",
    "airflow.providers.sftp": "apache-airflow-providers-sftp",
    "airflow.providers.slack": "apache-airflow-providers-slack",
    "airflow.providers.snowflake": "apache-airflow-providers-snowflake",
    "airflow.providers.ssh": "apache-airflow-providers-ssh",
    "airflow.providers.standard": "apache-airflow-providers-standard",
    "aws_cdk": "aws-cdk-lib",
    "libcloud": "apache-libcloud",
    "openstack": "openstacksdk",
    "ibm_boto3": "ibm-cos-sdk",
    "ibm_botocore": "ibm-cos-sdk-core",
    "tencentcloud": "tencentcloud-sdk-python",
    "qcloud_cos": "cos-python-sdk-v5",
    "elasticapm": "elastic-apm",
    "libvirt": "libvirt-python",
    "vagrant": "python-vagrant",
    "consul": "python-consul",
    "gitlab": "python-gitlab",
    "jenkins": "python-jenkins",
    "swiftclient": "python-swiftclient",
    "keystoneclient": "python-keystoneclient",
    "novaclient": "python-novaclient",
    "jnpr": "junos-eznc",
    "pyVim": "pyvmomi",
    "git": "gitpython",
    "github": "pygithub",
    "atlassian": "atlassian-python-api",
    "trello": "py-trello",
    # chat and social
    "telegram": "python-telegram-bot",
    "telebot": "pytelegrambotapi",
    "discord": "discord-py",
    "slack": "slackclient",
    "facebook": "facebook-sdk",
    "binance": "python-binance",
    "solcx": "py-solc-x",
    "brownie": "eth-brownie",
    "sha3": "pysha3",
    # hardware, desktop, operating system
    "serial": "pyserial",
    "serial_asyncio": "pyserial-asyncio",
    "usb": "pyusb",
    "hid": "hidapi",
    "zmq": "pyzmq",
    "bluetooth": "pybluez",
    "nfc": "nfcpy",
    "smartcard": "pyscard",
    "pkcs11": "python-pkcs11",
    "can": "python-can",
    "snap7": "python-snap7",
    "RPi": "rpi-gpio",
    "board": "adafruit-blinka",
    "busio": "adafruit-blinka",
    "digitalio": "adafruit-blinka",
    "gi": "pygobject",
    "cairo": "pycairo",
    "dbus": "dbus-python",
    "wx": "wxpython",
    "webview": "pywebview",
    "objc": "pyobjc-core",
    "AppKit": "pyobjc-framework-cocoa",
    "Foundation": "pyobjc-framework-cocoa",
    "Quartz": "pyobjc-framework-quartz",
    "PyQt5.QtWebEngineWidgets": "pyqtwebengine",
    "PyQt5.QtWebEngineCore": "pyqtwebengine",
    "PyQt5.QtChart": "pyqtchart",
    **dict.fromkeys(_PYWIN32_MODULES, "pywin32"),
}

IMPORT_TO_DISTRIBUTION: Mapping[str, str] = MappingProxyType(_TABLE)
"""Import name (dotted in namespaces) -> normalised distribution, where the name misleads."""

_SHARING: dict[str, str] = {
    "bootstrap-flask": "flask-bootstrap",
    "fastapi-cache2": "fastapi-cache",
    "opencv-python-headless": "opencv-python",
    "opencv-contrib-python": "opencv-python",
    "opencv-contrib-python-headless": "opencv-python",
    "psycopg2-binary": "psycopg2",
    "pycrypto": "pycryptodome",
    "pillow-simd": "pillow",
    "tensorflow-cpu": "tensorflow",
    "tensorflow-gpu": "tensorflow",
    "tensorflow-macos": "tensorflow",
    "tensorflow-intel": "tensorflow",
    "tf-nightly": "tensorflow",
    "faiss-gpu": "faiss-cpu",
    "onnxruntime-gpu": "onnxruntime",
    "cupy-cuda11x": "cupy",
    "cupy-cuda12x": "cupy",
    "paddlepaddle-gpu": "paddlepaddle",
    "mysql-connector": "mysql-connector-python",
    "mysql-python": "mysqlclient",
    "py-cord": "discord-py",
    "pypiwin32": "pywin32",
    "fpdf": "fpdf2",
    "progressbar": "progressbar2",
    "kafka-python-ng": "kafka-python",
    "ulid-py": "python-ulid",
    "python-levenshtein": "levenshtein",
    "python-igraph": "igraph",
    "rdkit-pypi": "rdkit",
    "pinecone-client": "pinecone",
    "python-magic-bin": "python-magic",
    "file-magic": "python-magic",
    "environ-config": "django-environ",
    "haystack-ai": "django-haystack",
    "farm-haystack": "django-haystack",
    "awesome-slugify": "python-slugify",
    "unicode-slugify": "python-slugify",
    "asyncio-nats-client": "nats-py",
}
DISTRIBUTIONS_SHARING_IMPORTS: Mapping[str, str] = MappingProxyType(_SHARING)
"""Distribution -> the one whose import names it installs too (builds, forks, renames)."""


def _reverse() -> dict[str, frozenset[str]]:
    names: dict[str, set[str]] = {}
    for module, distribution in _TABLE.items():
        names.setdefault(distribution, set()).add(module)
    return {distribution: frozenset(modules) for distribution, modules in names.items()}


_IMPORTS_OF: dict[str, frozenset[str]] = _reverse()


def is_stdlib(top_level: str) -> bool:
    """True for a standard-library module of any Python 3.10-3.14, removed ones included.

    A dotted name is judged by its first part (``os.path`` -> ``os``).
    """
    return top_level.partition(".")[0] in _STDLIB


def distribution_for_import(module: str, known: Mapping[str, str] | None = None) -> str | None:
    """The normalised distribution that provides a dotted module, or ``None``.

    ``None`` for the standard library, for a namespace root alone (``google``,
    ``google.unknown``) and for names no distribution can have (``_private``). The longest
    dotted prefix found in ``known`` or in the table decides (``known`` wins a tie);
    ``known`` entries for a bare namespace root are ignored, as many distributions share
    it. Otherwise the top-level name, normalised, is the answer.
    """
    parts = module.split(".")
    top = parts[0]
    if not top or is_stdlib(top):
        return None
    if top == "flask" and len(parts) > 2 and parts[1] == "ext":
        return normalise(f"flask-{parts[2]}")  # Flask < 1.0: ``flask.ext.login``
    for length in range(len(parts), 0, -1):
        prefix = ".".join(parts[:length])
        if known and prefix in known and not (length == 1 and top in NAMESPACE_ROOTS):
            return normalise(known[prefix])
        if prefix in _TABLE:
            return _TABLE[prefix]
    if top in NAMESPACE_ROOTS:
        return None
    name = normalise(top)
    return name if name[0] != "-" and name[-1] != "-" else None


def parent_modules(modules: Iterable[str]) -> set[str]:
    """The proper dotted prefixes of ``modules`` (``a``, ``a.b`` for ``a.b.c``)."""
    found: set[str] = set()
    for module in modules:
        parts = module.split(".")
        found.update(".".join(parts[:length]) for length in range(1, len(parts)))
    return found


@functools.cache
def table_parent_modules() -> frozenset[str]:
    """Modules whose submodules may belong to another distribution than themselves,
    according to the table (``google.cloud``; ``flask.ext``, see
    ``distribution_for_import``)."""
    return frozenset(parent_modules(_TABLE) | {"flask.ext"})


def import_names_for_distribution(dist: str) -> set[str]:
    """The import names a distribution is known to provide, to match declarations to imports.

    Names may be dotted (``google.cloud.storage``): an import matches one when it equals it
    or starts with it and a dot. They are the table's names for it, those of the
    distribution it shares imports with, and the name itself with ``-`` as ``_``; a
    distribution under a namespace root that the table does not know also gets its name
    with ``-`` as ``.`` (``azure-mgmt-dns`` -> ``azure.mgmt.dns``), a guess that is
    harmless when wrong.
    """
    name = normalise(dist)
    names = set(_IMPORTS_OF.get(name, ()))
    shared = _SHARING.get(name)
    if shared is not None:
        names |= _IMPORTS_OF.get(shared, frozenset({shared.replace("-", "_")}))
    names.add(name.replace("-", "_"))
    root, dash, rest = name.partition("-")
    if dash and rest and root in NAMESPACE_ROOTS and name not in _IMPORTS_OF:
        names.add(name.replace("-", "."))
    return names
