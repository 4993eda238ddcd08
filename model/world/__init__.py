"""The world as built before the first step: the county, its households and its alliances."""
