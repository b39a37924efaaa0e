"""Typed access to API method parameters (all strings on the wire) with VK's error 100 wording."""

from __future__ import annotations

from .errors import param_error


class Params:
    def __init__(self, raw: dict[str, str]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return name in self.raw and self.raw[name] != ""

    def opt_str(self, name: str, required: bool = False) -> str | None:
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                raise param_error(f"{name} is undefined")
            return None
        return value

    def req_str(self, name: str) -> str:
        value = self.opt_str(name, required=True)
        assert value is not None
        return value

    def opt_int(self, name: str, required: bool = False) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                raise param_error(f"{name} is undefined")
            return None
        try:
            return int(value)
        except ValueError:
            raise param_error(f"{name} not integer") from None

    def req_int(self, name: str) -> int:
        value = self.opt_int(name, required=True)
        assert value is not None
        return value

    def flag(self, name: str) -> bool:
        value = self.raw.get(name, "")
        return value not in ("", "0", "false", "False")

    def str_list(self, name: str) -> list[str] | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        return [part.strip() for part in value.split(",") if part.strip()]

    def int_list(self, name: str) -> list[int] | None:
        items = self.str_list(name)
        if items is None:
            return None
        try:
            return [int(item) for item in items]
        except ValueError:
            raise param_error(f"{name} should be a list of integers") from None


__all__ = ["Params"]
