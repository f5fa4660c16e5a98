"""The embedded defaults' cache backends take any key without Django's memcached check."""

import warnings

from django.core.cache import CacheKeyWarning

from core.cache import FileBasedCache, LocMemCache


def test_long_keys_and_control_characters_are_stored_and_read_without_a_warning(tmp_path):
    key = "catalog:" + "x" * 300 + "\x07"
    for backend in (LocMemCache("any-key-test", {}), FileBasedCache(str(tmp_path), {})):
        with warnings.catch_warnings():
            warnings.simplefilter("error", CacheKeyWarning)
            backend.set(key, {"page": 1})
            assert backend.get(key) == {"page": 1}
            assert backend.get_many([key, "absent"]) == {key: {"page": 1}}
