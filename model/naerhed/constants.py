"""Fixed classifications of the model: regions, sexes, ages.

Regions are indexed 0-4 in Danmarks Statistik's order (DST codes 1081-1085); sex 0 is male, 1 female;
age is completed years 0..MAX_AGE, where MAX_AGE is an open group (MAX_AGE and older).
"""

REGION_CODES = (1081, 1082, 1083, 1084, 1085)
REGION_NAMES = ("Nordjylland", "Midtjylland", "Syddanmark", "Hovedstaden", "Sjælland")
N_REGIONS = len(REGION_CODES)

SEXES = ("male", "female")
MALE, FEMALE = 0, 1

MAX_AGE = 110
N_AGES = MAX_AGE + 1


def region_index(code_or_name) -> int:
    """Index 0-4 of a region given its DST code (1081, '081', 81) or name (with or without 'Region ')."""
    text = str(code_or_name).strip()
    if text.lower().startswith("region "):
        text = text[7:].strip()
    if text.isdigit():
        code = int(text)
        if code < 1000:
            code += 1000
        if code in REGION_CODES:
            return REGION_CODES.index(code)
    folded = {name.lower().replace("æ", "ae"): i for i, name in enumerate(REGION_NAMES)}
    key = text.lower().replace("æ", "ae")
    if key in folded:
        return folded[key]
    raise KeyError(f"unknown region {code_or_name!r}; allowed: codes {REGION_CODES} or names {REGION_NAMES}")

#: Age groups of the criterion breakdowns (completed years, inclusive bounds).
AGE_GROUP_BOUNDS = ((0, 17), (18, 39), (40, 59), (60, 69), (70, 79), (80, MAX_AGE))
AGE_GROUP_LABELS = tuple(f"{lo}-{hi}" if hi < MAX_AGE else f"{lo}+" for lo, hi in AGE_GROUP_BOUNDS)
N_AGE_GROUPS = len(AGE_GROUP_BOUNDS)
