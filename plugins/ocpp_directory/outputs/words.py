"""The words readers see for the record format's coded values."""

SECURITY_PROFILE_TITLES = {
    1: "Unsecured transport with basic authentication",
    2: "TLS with basic authentication",
    3: "TLS with client-side certificates",
}

HARDWARE_WORDS = {
    "single": "Single",
    "multiple": "Multiple",
    "socket": "Socket",
    "fixed-cable": "Fixed cable",
    "none": "None",
    "per-evse": "One per EVSE",
    "ethernet": "Ethernet",
    "wifi": "Wi-Fi",
    "mobile": "Mobile network",
}
