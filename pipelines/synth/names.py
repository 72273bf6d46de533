"""Fake people's names and e-mail addresses, from small built-in lists.

The lists are invented for the synthetic district; any resemblance to a real student or
teacher is chance. E-mail addresses use the reserved ``example.org`` domain.
"""

from __future__ import annotations

import numpy as np
import polars as pl

FEMALE_FIRST_NAMES = (
    "Ava",
    "Mia",
    "Sofia",
    "Isabella",
    "Camila",
    "Harper",
    "Luna",
    "Aaliyah",
    "Priya",
    "Mei",
    "Grace",
    "Nora",
    "Zoe",
    "Leilani",
    "Valeria",
    "Amara",
    "Hana",
    "Chloe",
    "Elena",
    "Maya",
    "Ruby",
    "Ximena",
    "Naomi",
    "Quinn",
    "Tessa",
    "Jade",
    "Anika",
    "Lucia",
    "Imani",
    "Sage",
)
MALE_FIRST_NAMES = (
    "Liam",
    "Noah",
    "Mateo",
    "Elijah",
    "Lucas",
    "Ethan",
    "Kai",
    "Diego",
    "Aarav",
    "Jin",
    "Owen",
    "Caleb",
    "Julian",
    "Malik",
    "Santiago",
    "Ezra",
    "Theo",
    "Rohan",
    "Marcus",
    "Levi",
    "Tomas",
    "Kenji",
    "Andre",
    "Felix",
    "Gabriel",
    "Hugo",
    "Isaiah",
    "Jonah",
    "Nico",
    "Omar",
)
NEUTRAL_FIRST_NAMES = (
    "Alex",
    "Jordan",
    "River",
    "Rowan",
    "Avery",
    "Emerson",
    "Skyler",
    "Reese",
    "Phoenix",
    "Remy",
)
LAST_NAMES = (
    "Alvarez",
    "Bennett",
    "Chen",
    "Dawson",
    "Estrada",
    "Fontaine",
    "Garcia",
    "Hollis",
    "Ibarra",
    "Jensen",
    "Kaur",
    "Lindqvist",
    "Moreno",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quintero",
    "Reyes",
    "Sandoval",
    "Tran",
    "Underwood",
    "Valdez",
    "Whitaker",
    "Xu",
    "Yamada",
    "Zamora",
    "Abbott",
    "Brooks",
    "Castillo",
    "Delgado",
    "Ellison",
    "Flores",
    "Gutierrez",
    "Hayes",
    "Iwasaki",
    "Johansson",
    "Kim",
    "Lopez",
    "Mendoza",
    "Nguyen",
    "Ortega",
    "Park",
    "Ramirez",
    "Silva",
    "Thompson",
    "Vasquez",
    "Walsh",
    "Young",
    "Aguilar",
    "Becker",
    "Cruz",
    "Duarte",
    "Fischer",
    "Gonzales",
    "Huang",
    "Jimenez",
    "Keller",
    "Lam",
    "Morales",
    "Navarro",
    "O'Neill",
    "Pham",
    "Rios",
    "Soto",
    "Tanaka",
    "Vargas",
    "Wong",
    "Zhou",
)

EMAIL_DOMAIN = "example.org"


def fake_names(rng: np.random.Generator, sex: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A first and a last name for each person; first names follow ``sex`` loosely."""
    size = len(sex)
    female = np.array(FEMALE_FIRST_NAMES, dtype=object)
    male = np.array(MALE_FIRST_NAMES, dtype=object)
    neutral = np.array(NEUTRAL_FIRST_NAMES, dtype=object)
    first = np.where(
        sex == "female",
        female[rng.integers(0, len(female), size)],
        male[rng.integers(0, len(male), size)],
    )
    # Some students of any sex, and all nonbinary students, get a name used by everyone.
    use_neutral = (rng.random(size) < 0.06) | (sex == "nonbinary")
    first = np.where(use_neutral, neutral[rng.integers(0, len(neutral), size)], first)
    last = np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), size)]
    return first, last


def email_addresses(first: pl.Series, last: pl.Series, ids: pl.Series, subdomain: str) -> pl.Series:
    """``first.last1234@subdomain.example.org``; the id's last digits keep them unique."""
    local = (
        first.str.to_lowercase()
        + "."
        + last.str.to_lowercase().str.replace_all(r"[^a-z]", "")
        + ids.str.slice(-4)
    )
    return local + f"@{subdomain}.{EMAIL_DOMAIN}"
