"""Which new passwords are refused: too short or long, one character repeated, a plain run
("12345678", "abcdefgh"), containing the e-mail, or among the 30,000 commonest passwords (the
`passwords` frequency list that ships with zxcvbn, a maintained PyPI port of Dropbox's zxcvbn,
itself drawn from leaked-password corpora). Pure: returns the refusal, never raises it."""

from __future__ import annotations

import functools

from auction.errors import ApiError
from auction.thai import arabic_digits

MIN_LENGTH = 8
MAX_LENGTH = 200


@functools.cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _refuse(code: str, th: str, en: str) -> ApiError:
    return ApiError(400, code, th, en, param="password")


def _is_run(text: str) -> bool:
    """Each character one more (or one less) than the one before: 12345678, abcdefgh, 98765432."""
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return steps in ({1}, {-1})


def problem(password: str, email: str = "") -> ApiError | None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return _refuse(
            "weak_password",
            f"รหัสผ่านต้องยาว {MIN_LENGTH} ถึง {MAX_LENGTH} ตัวอักษร",
            f"Password needs {MIN_LENGTH} to {MAX_LENGTH} characters",
        )
    folded = arabic_digits(password).strip().lower()
    if len(set(folded)) == 1 or _is_run(folded):
        return _refuse(
            "trivial_password",
            "รหัสผ่านเดาง่ายเกินไป (ตัวอักษรซ้ำหรือเรียงกัน) กรุณาตั้งรหัสผ่านอื่น",
            "This password is too easy to guess (one character repeated or in sequence); choose another",
        )
    email = email.strip().lower()
    local = email.split("@", 1)[0]
    if email and (email in folded or (len(local) >= 3 and local in folded)):
        return _refuse(
            "password_contains_email",
            "รหัสผ่านต้องไม่มีอีเมลของคุณอยู่ในนั้น",
            "The password must not contain your e-mail address",
        )
    if folded in _common() or folded.replace(" ", "") in _common():
        return _refuse(
            "common_password",
            "รหัสผ่านนี้เป็นหนึ่งในรหัสผ่านที่ใช้กันมากที่สุด ผู้อื่นเดาได้ง่าย กรุณาตั้งรหัสผ่านอื่น",
            "This is one of the most common passwords and easy to guess; choose another",
        )
    return None


def check(password: str, email: str = "") -> None:
    refusal = problem(password, email)
    if refusal is not None:
        raise refusal
