"""The words readers see for the record format's coded values (in English; translated where shown)."""

from .i18n import N_

SECURITY_PROFILE_TITLES = {
    1: N_("Unsecured transport with basic authentication"),
    2: N_("TLS with basic authentication"),
    3: N_("TLS with client-side certificates"),
}

HARDWARE_WORDS = {
    "single": N_("Single"),
    "multiple": N_("Multiple"),
    "socket": N_("Socket"),
    "fixed-cable": N_("Fixed cable"),
    "none": N_("None"),
    "per-evse": N_("One per EVSE"),
    "ethernet": N_("Ethernet"),
    "wifi": N_("Wi-Fi"),
    "mobile": N_("Mobile network"),
}
