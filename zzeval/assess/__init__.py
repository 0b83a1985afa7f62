"""The assessment: the season evaluated once (evaluate), task progress and the verdict of plan § 二十二."""
