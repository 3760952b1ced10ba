import unittest
from datetime import datetime

from .. import timestamps


class TestParseIso(unittest.TestCase):
    def test_offsets_are_converted_to_naive_utc(self):
        self.assertEqual(timestamps.parse_iso("2026-11-27T10:00:00Z"), datetime(2026, 11, 27, 10))
        self.assertEqual(timestamps.parse_iso("2026-11-27T11:30:00+01:30"),
                         datetime(2026, 11, 27, 10))

    def test_with_and_without_offset_compare(self):
        self.assertLess(timestamps.parse_iso("2026-11-27T09:00:00"),
                        timestamps.parse_iso("2026-11-27T10:00:00Z"))

    def test_empty_or_malformed_is_none(self):
        for value in (None, "", "yesterday", 42):
            with self.subTest(value=value):
                self.assertIsNone(timestamps.parse_iso(value))


class TestAgeText(unittest.TestCase):
    def test_ages_read_at_a_glance(self):
        now = datetime(2026, 11, 27, 12, 0, 0)
        cases = [
            (datetime(2026, 11, 27, 11, 59, 30), "30 s"),
            (datetime(2026, 11, 27, 11, 57, 0), "3 min"),
            (datetime(2026, 11, 27, 10, 0, 0), "2 h"),
            (datetime(2026, 11, 27, 9, 55, 0), "2 h 5 min"),
            (datetime(2026, 11, 23, 9, 0, 0), "4 d 3 h"),
            (datetime(2026, 11, 25, 12, 0, 0), "2 d"),
            (datetime(2026, 11, 27, 12, 5, 0), "0 s"),
        ]
        for then, text in cases:
            with self.subTest(then=then):
                self.assertEqual(timestamps.age_text(now, then), text)


if __name__ == "__main__":
    unittest.main()
