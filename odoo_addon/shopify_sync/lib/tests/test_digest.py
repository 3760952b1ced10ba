import unittest

from .. import digest


class TestDigest(unittest.TestCase):
    def test_content_hash_ignores_key_order_and_excluded_keys(self):
        self.assertEqual(digest.content_hash({"a": 1, "b": [1, 2]}),
                         digest.content_hash({"b": [1, 2], "a": 1}))
        self.assertNotEqual(digest.content_hash({"a": 1}), digest.content_hash({"a": 2}))
        self.assertEqual(digest.content_hash({"a": 1, "t": 1}, exclude=("t",)),
                         digest.content_hash({"a": 1}))

    def test_lock_key_is_a_stable_signed_64_bit_integer(self):
        key = digest.lock_key("order:gid://shopify/Order/1")
        self.assertEqual(key, digest.lock_key("order:gid://shopify/Order/1"))
        self.assertNotEqual(key, digest.lock_key("order:gid://shopify/Order/2"))
        self.assertTrue(-(2 ** 63) <= key < 2 ** 63)


if __name__ == "__main__":
    unittest.main()
