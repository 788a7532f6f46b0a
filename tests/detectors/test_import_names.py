"""Import names to distributions: the standard library, the mismatch table, namespaces."""

from __future__ import annotations

import pytest

from stackskills.detectors.import_names import (
    DISTRIBUTIONS_SHARING_IMPORTS,
    IMPORT_TO_DISTRIBUTION,
    NAMESPACE_ROOTS,
    distribution_for_import,
    import_names_for_distribution,
    is_stdlib,
)
from stackskills.detectors.names import normalise

# --- is_stdlib -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["os", "sys", "json", "typing", "asyncio", "tomllib", "zoneinfo", "__future__"]
)
def test_current_standard_library_modules_are_stdlib(name: str) -> None:
    assert is_stdlib(name)


@pytest.mark.parametrize(
    "name",
    [
        "distutils", "imp", "asynchat", "asyncore", "smtpd", "cgi", "cgitb", "crypt",
        "imghdr", "mailcap", "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr",
        "spwd", "sunau", "telnetlib", "uu", "xdrlib", "lib2to3", "audioop", "chunk",
    ],
)  # fmt: skip
def test_modules_removed_in_recent_pythons_are_still_stdlib(name: str) -> None:
    assert is_stdlib(name)


def test_typing_only_and_python_2_names_are_stdlib() -> None:
    assert is_stdlib("_typeshed")
    assert is_stdlib("cPickle")
    assert is_stdlib("urllib2")


def test_dotted_names_are_judged_by_their_first_part() -> None:
    assert is_stdlib("os.path")
    assert is_stdlib("xml.etree.ElementTree")
    assert not is_stdlib("django.db")


@pytest.mark.parametrize(
    "name", ["django", "typing_extensions", "yaml", "requests", "test", "tests", "mock", ""]
)
def test_third_party_and_project_names_are_not_stdlib(name: str) -> None:
    assert not is_stdlib(name)


# --- the table -------------------------------------------------------------------------


def test_table_values_are_pep_503_normalised() -> None:
    assert [v for v in IMPORT_TO_DISTRIBUTION.values() if normalise(v) != v] == []


def test_table_keys_are_import_names() -> None:
    bad = [k for k in IMPORT_TO_DISTRIBUTION if not all(p.isidentifier() for p in k.split("."))]
    assert bad == []


def test_table_is_large_and_read_only() -> None:
    assert len(IMPORT_TO_DISTRIBUTION) >= 250
    with pytest.raises(TypeError):
        IMPORT_TO_DISTRIBUTION["x"] = "y"  # type: ignore[index]


def test_no_dotted_entry_repeats_what_its_parent_already_gives() -> None:
    redundant = [
        key
        for key, distribution in IMPORT_TO_DISTRIBUTION.items()
        if "." in key and distribution_for_import(key.rpartition(".")[0]) == distribution
    ]
    assert redundant == []


# --- distribution_for_import -----------------------------------------------------------

_EXPECTED = {
    "rest_framework": "djangorestframework",
    "rest_framework.permissions": "djangorestframework",
    "yaml": "pyyaml",
    "sklearn.ensemble": "scikit-learn",
    "PIL.Image": "pillow",
    "cv2": "opencv-python",
    "bs4": "beautifulsoup4",
    "dateutil.parser": "python-dateutil",
    "jwt": "pyjwt",
    "dotenv": "python-dotenv",
    "attr": "attrs",
    "google.protobuf.json_format": "protobuf",
    "google.cloud.storage": "google-cloud-storage",
    "google.cloud.storage.blob": "google-cloud-storage",
    "google.cloud.secretmanager": "google-cloud-secret-manager",
    "jose.jwt": "python-jose",
    "multipart": "python-multipart",
    "Crypto.Cipher": "pycryptodome",
    "OpenSSL": "pyopenssl",
    "MySQLdb": "mysqlclient",
    "psycopg2.extras": "psycopg2",
    "corsheaders.middleware": "django-cors-headers",
    "debug_toolbar": "django-debug-toolbar",
    "django_filters.rest_framework": "django-filter",
    "crispy_forms": "django-crispy-forms",
    "environ": "django-environ",
    "rest_framework_simplejwt.tokens": "djangorestframework-simplejwt",
    "drf_spectacular.utils": "drf-spectacular",
    "allauth.account": "django-allauth",
    "storages.backends.s3boto3": "django-storages",
    "celery": "celery",
    "kombu": "kombu",
    "grpc": "grpcio",
    "pkg_resources": "setuptools",
    "git": "gitpython",
    "github": "pygithub",
    "serial": "pyserial",
    "zmq": "pyzmq",
    "fitz": "pymupdf",
    "magic": "python-magic",
    "slugify": "python-slugify",
    "docx": "python-docx",
    "telegram.ext": "python-telegram-bot",
    "socketio": "python-socketio",
    "engineio": "python-engineio",
    "dns.resolver": "dnspython",
    "nacl.signing": "pynacl",
    "_pytest.fixtures": "pytest",
    "factory.django": "factory-boy",
    "websocket": "websocket-client",
    "jinja2": "jinja2",
    "markdown": "markdown",
    "skimage.io": "scikit-image",
    "win32api": "pywin32",
    "win32com.client": "pywin32",
    "pywintypes": "pywin32",
    "ldap": "python-ldap",
    "Levenshtein": "levenshtein",
    "editor": "python-editor",
    "igraph": "igraph",
    "mpl_toolkits.mplot3d": "matplotlib",
    "sentry_sdk.integrations.django": "sentry-sdk",
    "opentelemetry.trace": "opentelemetry-api",
    "opentelemetry.sdk.trace": "opentelemetry-sdk",
    "opentelemetry.instrumentation.django": "opentelemetry-instrumentation-django",
    "azure.storage.blob": "azure-storage-blob",
    "azure.identity.aio": "azure-identity",
    "google.auth.transport.requests": "google-auth",
    "googleapiclient.discovery": "google-api-python-client",
    "firebase_admin": "firebase-admin",
    "stripe": "stripe",
    "boto3": "boto3",
    "botocore.exceptions": "botocore",
    "Cython.Build": "cython",
    "tree_sitter": "tree-sitter",
    "OpenGL.GL": "pyopengl",
    "usb.core": "pyusb",
    "snowflake.connector": "snowflake-connector-python",
    "pydantic_core": "pydantic-core",
    "typing_extensions": "typing-extensions",
    "ruamel.yaml": "ruamel-yaml",
    "lxml.etree": "lxml",
    "xdist": "pytest-xdist",
    "pytest_django": "pytest-django",
    "flask_sqlalchemy": "flask-sqlalchemy",
    "zope.interface": "zope-interface",
}


@pytest.mark.parametrize(("module", "distribution"), list(_EXPECTED.items()))
def test_imports_map_to_their_distribution(module: str, distribution: str) -> None:
    assert distribution_for_import(module) == distribution


@pytest.mark.parametrize("module", ["os", "os.path", "typing", "distutils.core", "__future__"])
def test_standard_library_imports_have_no_distribution(module: str) -> None:
    assert distribution_for_import(module) is None


@pytest.mark.parametrize(
    "module", ["google", "google.cloud", "google.cloud.unheard_of", "azure", "azure.x", "zope"]
)
def test_namespace_roots_without_a_table_entry_have_no_distribution(module: str) -> None:
    assert distribution_for_import(module) is None


def test_every_namespace_root_alone_has_no_distribution() -> None:
    assert [root for root in NAMESPACE_ROOTS if distribution_for_import(root) is not None] == []


def test_names_no_distribution_can_have_give_none() -> None:
    assert distribution_for_import("") is None
    assert distribution_for_import("_private_extension") is None


def test_unknown_top_level_names_are_their_own_normalised_distribution() -> None:
    assert distribution_for_import("Flask_Login.utils") == "flask-login"
    assert distribution_for_import("some_internal_pkg") == "some-internal-pkg"


def test_known_names_win_over_the_table_and_are_normalised() -> None:
    known = {"cv2": "opencv-python-headless", "yaml": "PyYAML_Fork", "mypkg": "My.Pkg"}
    assert distribution_for_import("cv2", known) == "opencv-python-headless"
    assert distribution_for_import("yaml.loader", known) == "pyyaml-fork"
    assert distribution_for_import("mypkg.sub", known) == "my-pkg"


def test_longest_dotted_prefix_wins_between_known_and_table() -> None:
    # An installed venv lists ``google`` for one of many google-* distributions.
    known = {"google": "google-cloud-storage", "google.cloud.pubsub": "Google-Cloud-PubSub"}
    assert distribution_for_import("google.protobuf.message", known) == "protobuf"
    assert distribution_for_import("google.cloud.pubsub_v1", known) == "google-cloud-pubsub"
    assert distribution_for_import("google.cloud.pubsub", known) == "google-cloud-pubsub"
    assert distribution_for_import("google.unknown", known) is None


def test_known_does_not_override_the_standard_library() -> None:
    assert distribution_for_import("json", {"json": "simplejson"}) is None


# --- import_names_for_distribution ---------------------------------------------------


def test_reverse_lookup_gives_table_names_and_the_underscored_name() -> None:
    assert import_names_for_distribution("PyYAML") == {"yaml", "_yaml", "pyyaml"}
    assert import_names_for_distribution("djangorestframework") == {
        "rest_framework",
        "djangorestframework",
    }
    assert import_names_for_distribution("Flask-SQLAlchemy") == {"flask_sqlalchemy"}


def test_reverse_lookup_covers_every_module_of_a_distribution() -> None:
    names = import_names_for_distribution("pywin32")
    assert {"win32api", "win32com", "pywintypes", "pythoncom"} <= names
    assert import_names_for_distribution("setuptools") == {
        "setuptools",
        "pkg_resources",
        "_distutils_hack",
    }


def test_builds_and_forks_share_the_import_names_of_their_original() -> None:
    assert import_names_for_distribution("opencv-python-headless") == {
        "cv2",
        "opencv_python_headless",
    }
    assert import_names_for_distribution("psycopg2-binary") == {"psycopg2", "psycopg2_binary"}
    assert import_names_for_distribution("pycrypto") == {"Crypto", "pycrypto"}
    assert import_names_for_distribution("python-Levenshtein") == {
        "Levenshtein",
        "python_levenshtein",
    }
    assert all(normalise(d) == d for d in DISTRIBUTIONS_SHARING_IMPORTS)
    assert all(normalise(d) == d for d in DISTRIBUTIONS_SHARING_IMPORTS.values())


def test_namespace_distributions_get_their_dotted_import_name() -> None:
    assert import_names_for_distribution("google-cloud-storage") == {
        "google.cloud.storage",
        "google_cloud_storage",
    }
    assert import_names_for_distribution("azure-mgmt-dns") == {"azure.mgmt.dns", "azure_mgmt_dns"}
    assert import_names_for_distribution("google-cloud-secret-manager") == {
        "google.cloud.secretmanager",
        "google_cloud_secret_manager",
    }


def test_reverse_lookup_round_trips_through_the_forward_lookup() -> None:
    for module, distribution in IMPORT_TO_DISTRIBUTION.items():
        assert module in import_names_for_distribution(distribution)
        assert distribution_for_import(module) == distribution


def test_declared_namespace_distribution_resolves_its_imports_through_known() -> None:
    known = dict.fromkeys(import_names_for_distribution("azure-mgmt-dns"), "azure-mgmt-dns")
    assert distribution_for_import("azure.mgmt.dns.models", known) == "azure-mgmt-dns"
