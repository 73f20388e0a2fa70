"""The news rules: dates in questions and articles, date order, timelines, where sources agree
and differ, figures, news vocabulary, and versions of one story."""
