"""N synthetic, valid, seeded certificate records for the benchmark.

The spread follows the sample records: about 70 % OCPP 1.6 (full, subset,
security and their combinations), 30 % 2.0.1 with several profiles and Part 5's features; about one
vendor per 25 certificates, with accented and Korean names; devices with
several certified software versions; three laboratories; dates 2020 to 2026.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

F16 = ["core", "firmware-management", "smart-charging", "reservation", "local-auth-list-management", "remote-trigger"]
P201 = ["advanced-security", "local-auth-list-management", "smart-charging", "advanced-device-management",
        "advanced-user-interface", "reservation"]
SYLLABLES = ["vol", "ta", "ris", "nor", "dl", "cht", "ener", "gie", "bor", "ne", "kil", "o", "watt", "hel", "ios",
             "fjord", "la", "de", "au", "ro", "ra", "gri", "wise", "so", "lano", "ta", "ku", "mi", "car", "ga"]
ACCENTED = ["Énergie", "Kraków", "Säule", "Ampère", "Øresund", "Łódź", "Müller", "Señal", "Ørsted", "Čapek"]
KOREAN = ["한빛", "서울", "충전", "모빌리티", "전력", "에너지", "스마트", "그린"]
SUFFIXES = ["B.V.", "GmbH", "SAS", "Ltd", "Oy", "AS", "S.L.", "Inc.", "K.K.", "Sp. z o.o.", "주식회사"]
COUNTRIES = ["NL", "DE", "FR", "GB", "FI", "NO", "ES", "US", "JP", "PL", "KR", "BE", "SE", "IT", "AU"]
LABS = ["DEKRA", "DNV GL", "KSGA"]


def _part5() -> dict:
    """2.0.1's optional features a generated record may list, by device type (from the program file)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))
    from ocpp_directory.model.program import load_program

    version = load_program(Path(__file__).resolve().parent.parent / "program.yaml").versions["2.0.1"]
    return {device_type: {fid: f for fid, f in table.items() if not f.suboptions and not f.needs_one_of}
            for device_type, table in version.part5.tables.items()}


PART5 = _part5()


def _vendor_name(rng: random.Random, i: int) -> str:
    kind = rng.random()
    if kind < 0.1:
        return f"{rng.choice(KOREAN)}{rng.choice(KOREAN)} {i} 주식회사"
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    if kind < 0.25:
        word = f"{rng.choice(ACCENTED)} {word}"
    return f"{word} {i} {rng.choice(SUFFIXES)}"


def generate(folder: Path, n: int, seed: int = 2026) -> list[Path]:
    rng = random.Random(seed)
    vendors = [(_vendor_name(rng, i), rng.choice(COUNTRIES)) for i in range(max(1, n // 25))]
    devices: list[tuple[int, str, str, list[str]]] = []
    for v in range(len(vendors)):
        for d in range(rng.randint(2, 5)):
            kind = "csms" if rng.random() < 0.15 else "charging-station"
            models = sorted({f"{chr(65 + v % 26)}{chr(65 + d)}{rng.randint(10, 99)}-{rng.choice('SCXM')}"
                             for _ in range(rng.randint(0, 3))})  # distinct, as the validator requires
            devices.append((v, f"{'Hub' if kind == 'csms' else 'Charger'} {v}-{d} {rng.choice(['Pro', 'Mini', 'Duo', 'Max'])}",
                            kind, models))
    paths = []
    for i in range(n):
        v, device, kind, models = rng.choice(devices)
        vendor, country = vendors[v]
        year = rng.randint(2020, 2026)
        month, day = rng.randint(1, 10 if year == 2026 else 12), rng.randint(1, 27)
        issued = f"{year}-{month:02d}-{day:02d}"
        test_date = f"{year}-{month:02d}-{max(1, day - rng.randint(0, 20)):02d}"
        lab = "KSGA" if country == "KR" else rng.choice(LABS)
        sw = f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        if rng.random() < 0.7:
            version, vid = "1.6", "16"
            if kind == "csms":
                profiles = rng.choice([["full"], ["full", "security"], ["security"]])
            else:
                profiles = rng.choice([["full"], ["subset"], ["security"], ["full", "security"], ["subset", "security"]])
            features = F16 if "full" in profiles else (
                ["core"] + rng.sample(F16[1:], rng.randint(0, 4)) if "subset" in profiles else None)
            security = sorted(rng.sample([1, 2, 3], rng.randint(1, 3))) if "security" in profiles else None
            if security is not None and not ({2, 3} & set(security)):
                security.append(3)
        else:
            version, vid = "2.0.1", "201"
            profiles = ["core"] + sorted(rng.sample(P201, rng.randint(0, 4)), key=P201.index)
            if rng.random() < 0.2:
                profiles += [p for p in ("advanced-security", "smart-charging") if p not in profiles] + ["iso-15118"]
            # Part 5's own features of the profiles held, for the device type (no parent of sub-options,
            # no feature with a condition), and one remote start option for a charging station
            allowed = [fid for fid, f in PART5[kind].items() if f.profile in profiles]
            features = sorted(set(rng.sample(allowed, min(len(allowed), rng.randint(0, 6)))))
            if kind == "charging-station":
                features = sorted(set(features) | {rng.choice(["C-36", "C-37", "C-38", "C-39"])})
            security = sorted(rng.sample([1, 2, 3], rng.randint(1, 2))) if rng.random() < 0.6 else None
        cid = f"OCA-{vid}-{year}-{i:05d}"
        q = json.dumps
        lines = [f"id: {cid}", f"issued: {q(issued)}", f"ocpp_version: {q(version)}",
                 f"profiles: [{', '.join(profiles)}]", "vendor:", f"  name: {q(vendor, ensure_ascii=False)}",
                 f"  country: {q(country)}", f"  website: https://vendor-{v}.example", "device:",
                 f"  name: {q(device)}", f"  type: {kind}"]
        if models:
            lines.append(f"  models: [{', '.join(q(m) for m in models)}]")
        lines.append(f"  software_version: {q(sw)}")
        if kind == "charging-station":
            lines += ["  hardware:", f"    evse: {rng.choice(['single', 'multiple'])}",
                      f"    connection: [{rng.choice(['socket', 'fixed-cable'])}]",
                      f"    rfid: {rng.choice(['none', 'single', 'per-evse'])}",
                      f"    communication: [{', '.join(sorted(rng.sample(['ethernet', 'wifi', 'mobile'], 2)))}]"]
        if features is not None:
            lines.append(f"features: [{', '.join(features)}]")
        if security:
            lines.append(f"security_profiles: [{', '.join(map(str, security))}]")
        lines += ["test:", f"  laboratory: {lab}", f"  date: {q(test_date)}", f"  tool: OCTT {rng.randint(1, 4)}.{rng.randint(0, 9)}.0",
                  f"  reports: [{lab.replace(' ', '')}-TR-{year}-{i:05d}]",
                  f"  results: {{passed: {rng.randint(50, 600)}, failed: 0, not_applicable: {rng.randint(0, 120)}}}"]
        if rng.random() < 0.4:
            lines += ["performance:", f"  boot_to_accepted_s: {rng.randint(10, 90)}"]
        path = folder / str(year) / f"{cid}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", "utf-8")
        paths.append(path)
    return paths
