# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Customers from a CRM: created or updated by email and website, exactly once.

The customers of a batch are found with one search (`email in [...]`, ORDER_CHUNK at a time) and
matched on the lower-cased email and the website: Magento keeps an email unique per website (the
default account sharing scope) and compares it without case. A customer the website does not
have is created (`POST /V1/customers`, never with a password: Magento then mails the customer a
link to set one); one it has is updated (`PUT /V1/customers/{id}`) only where the record differs,
so a replay sends nothing.

A create is not repeatable (a second one is refused, or under a global sharing scope on another
website makes a second account): a lost answer is read back by email, and in async mode a create
still queued on the store for the same email and website is waited for (`flight_routes`).

`PUT` replaces a customer's addresses with the ones it carries (CustomerRepository::save), so
the update sends every stored address, the record's merged in: a record address with the same
street, city, postcode and country as a stored one is that address (updated if it differs), any
other is added, and none is ever deleted.
"""

from __future__ import annotations

from typing import Any

from magento2_rest import SearchCriteria

from target_magento2.sales_sinks import ORDER_CHUNK
from target_magento2.sinks import Entry, MagentoSink, Plan, Write, waves

CustomerKey = tuple[str, int]
# Record fields written as they are.
CUSTOMER_FIELDS = ("email", "firstname", "lastname", "middlename", "prefix", "suffix", "dob",
                   "gender", "taxvat", "group_id")  # fmt: skip
ADDRESS_FIELDS = ("firstname", "lastname", "company", "street", "city", "postcode", "country_id",
                  "region_id", "telephone", "vat_id")  # fmt: skip
DEFAULT_FLAGS = ("default_billing", "default_shipping")


def customer_key(email: str, website_id: Any) -> CustomerKey:
    return (email.strip().lower(), int(website_id))


def _same(stored: Any, wanted: Any) -> bool:
    """Magento answers numbers as numbers or strings and dates with or without a time."""
    if isinstance(wanted, list):
        return isinstance(stored, list) and [str(s) for s in stored] == [str(w) for w in wanted]
    if stored is None:
        return False
    return str(stored) == str(wanted) or str(stored)[:10] == str(wanted) == str(wanted)[:10]


def _place(address: dict[str, Any]) -> tuple[str, ...]:
    """What makes two addresses the same place (case, spacing and postcode blanks aside)."""
    street = address.get("street") or []
    lines = [street] if isinstance(street, str) else street
    return (
        " ".join(" ".join(str(line).split()) for line in lines).lower(),
        " ".join(str(address.get("city") or "").split()).lower(),
        str(address.get("postcode") or "").replace(" ", "").upper(),
        str(address.get("country_id") or "").upper(),
    )


def address_body(given: dict[str, Any], customer: dict[str, Any]) -> dict[str, Any]:
    """A record address as Magento's AddressInterface; the names default to the customer's."""
    body: dict[str, Any] = {
        "firstname": customer.get("firstname"),
        "lastname": customer.get("lastname"),
        **{name: given[name] for name in ADDRESS_FIELDS if name in given},
    }
    if isinstance(body.get("street"), str):
        body["street"] = [body["street"]]
    if "region" in given and "region_id" not in given:
        body["region"] = {"region": given["region"]}
    body.update({flag: True for flag in DEFAULT_FLAGS if given.get(flag)})
    return {name: value for name, value in body.items() if value is not None}


def _address_differs(stored: dict[str, Any], wanted: dict[str, Any]) -> bool:
    for name, value in wanted.items():
        if name == "region":
            if (stored.get("region") or {}).get("region") != value["region"]:
                return True
        elif not _same(stored.get(name), value):
            return True
    return False


def merged_addresses(
    stored: list[dict[str, Any]], given: list[dict[str, Any]], customer: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """The customer's addresses with the record's merged in, or None when nothing changes."""
    result = [dict(address) for address in stored]
    changed = False
    flagged: dict[str, list[dict[str, Any]]] = {flag: [] for flag in DEFAULT_FLAGS}
    for item in given:
        wanted = address_body(item, customer)
        match = next((a for a in result if _place(a) == _place(wanted)), None)
        if match is None:
            match = wanted
            result.append(wanted)
            changed = True
        elif _address_differs(match, wanted):
            match.update(wanted)
            changed = True
        for flag in DEFAULT_FLAGS:
            if wanted.get(flag):
                flagged[flag].append(match)
    if not changed:
        return None
    # The record's default wins over the stored one; without one the stored default stays.
    for flag, chosen in flagged.items():
        for address in result if chosen else []:
            address[flag] = address is chosen[-1]
    return result


class CustomersSink(MagentoSink):
    """`POST /V1/customers {"customer": {...}}` when the website has no customer with the email,
    else `PUT /V1/customers/{id} {"customer": {...}}` with the stored customer and the changes."""

    kind = "customers"
    can_read_back = True
    flight_routes = (("POST", "/customers"),)
    flight_noun = "customer (email and website)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ids_by_code: dict[str, dict[str, int]] = {}

    def flight_key(self, body: dict[str, Any]) -> str | None:
        customer = body.get("customer")
        if not isinstance(customer, dict) or not customer.get("email"):
            return None
        email, website = customer_key(str(customer["email"]), customer.get("website_id") or 0)
        return f"{email} {website}"

    @staticmethod
    def key(entry: Entry) -> CustomerKey:
        return customer_key(entry.data["email"], entry.data["website_id"])

    # ------------------------------------------------------------------------------ batching

    def write_batch(self, entries: list[Entry]) -> None:
        resolved = [entry for entry in entries if self.resolve(entry)]
        for wave in waves(resolved, self.key):
            found = self.load_customers(wave)
            self.run_plans([self.decide(entry, found.get(self.key(entry))) for entry in wave])

    def resolve(self, entry: Entry) -> bool:
        """Website and group codes as ids; False (refused) when the store has no such one."""
        return all(
            self._code_to_id(entry, code, noun)
            for code, noun in (("website", "website"), ("group", "customer group"))
        )

    def _code_to_id(self, entry: Entry, code_field: str, noun: str) -> bool:
        data = entry.data
        if code_field not in data:
            return True
        ids = self._codes(code_field)
        code, id_field = data.pop(code_field), f"{code_field}_id"
        if code not in ids:
            known = ", ".join(sorted(ids))
            self.refuse(entry, f"{code_field}: the store has no {noun} {code!r} ({known})")
            return False
        if data.setdefault(id_field, ids[code]) != ids[code]:
            self.refuse(entry, f"{code_field}: {code!r} is not {id_field} {data[id_field]}")
            return False
        return True

    def _codes(self, code_field: str) -> dict[str, int]:
        """The store's websites (GET /V1/store/websites) or customer groups by code, read once."""
        if code_field not in self._ids_by_code:
            if code_field == "website":
                found = self.magento.get("/store/websites") or []
            else:
                pages = self.magento.iter_pages(
                    "/customerGroups/search", SearchCriteria().order_by("id"), 100
                )
                found = [group for page in pages for group in page.items]
            self._ids_by_code[code_field] = {str(o["code"]): int(o["id"]) for o in found}
        return self._ids_by_code[code_field]

    def load_customers(self, entries: list[Entry]) -> dict[CustomerKey, dict[str, Any]]:
        """The stored customers of these records' emails, by (email, website)."""
        emails = sorted({self.key(entry)[0] for entry in entries})
        found: dict[CustomerKey, dict[str, Any]] = {}
        for start in range(0, len(emails), ORDER_CHUNK):
            criteria = SearchCriteria().where("email", "in", emails[start : start + ORDER_CHUNK])
            pages = self.magento.iter_pages(
                "/customers/search", criteria.order_by("entity_id"), 100
            )
            for customer in (c for page in pages for c in page.items):
                found[customer_key(customer["email"], customer["website_id"])] = customer
        return found

    # ------------------------------------------------------------------------------ deciding

    def decide(self, entry: Entry, stored: dict[str, Any] | None) -> Plan:
        data = entry.data
        wanted = {name: data[name] for name in CUSTOMER_FIELDS if name in data}
        attributes = data.get("custom_attributes") or {}
        given = data.get("addresses") or []
        if stored is None:
            customer = {**wanted, "website_id": data["website_id"]}
            customer["addresses"] = [address_body(a, customer) for a in given]
            if attributes:
                customer["custom_attributes"] = [
                    {"attribute_code": code, "value": value} for code, value in attributes.items()
                ]
            body = {"customer": customer}
            write = Write("POST", "/customers", body, "/customers", body, idempotent=False)
        else:
            write_or_none = self._update(stored, wanted, attributes, given)
            if write_or_none is None:
                return Plan(entry)
            write = write_or_none
        plan = Plan(entry, [write])
        plan.replan = lambda: self._fresh(plan)
        return plan

    @staticmethod
    def _update(
        stored: dict[str, Any],
        wanted: dict[str, Any],
        attributes: dict[str, Any],
        given: list[dict[str, Any]],
    ) -> Write | None:
        stored_attributes = {
            a["attribute_code"]: a.get("value") for a in stored.get("custom_attributes") or []
        }
        changes = {k: v for k, v in wanted.items() if not _same(stored.get(k), v)}
        new_attributes = {
            k: v for k, v in attributes.items() if not _same(stored_attributes.get(k), v)
        }
        merged = {**stored, **wanted}
        addresses = merged_addresses(stored.get("addresses") or [], given, merged)
        if not changes and not new_attributes and addresses is None:
            return None
        customer = {k: v for k, v in merged.items() if k != "updated_at"}
        if new_attributes:
            customer["custom_attributes"] = [
                {"attribute_code": code, "value": value}
                for code, value in {**stored_attributes, **attributes}.items()
            ]
        if addresses is not None:
            customer["addresses"] = addresses
            for flag in DEFAULT_FLAGS:
                chosen = [a for a in addresses if a.get(flag) and a.get("id")]
                if chosen:
                    customer[flag] = str(chosen[-1]["id"])
                else:
                    customer.pop(flag, None)
        customer_id = int(stored["id"])
        return Write(
            "PUT",
            f"/customers/{customer_id}",
            {"customer": customer},
            "/customers/byCustomerId",
            {"customerId": customer_id, "customer": customer},
        )

    def decided(self, entries: list[Entry]) -> list[Plan]:
        """Each record decided again from what the store shows now (one search for all)."""
        found = self.load_customers(entries)
        return [self.decide(entry, found.get(self.key(entry))) for entry in entries]

    def _fresh(self, plan: Plan) -> Plan:
        (again,) = self.decided([plan.entry])
        return again

    def replan_all(self, plans: list[Plan]) -> dict[int, Plan | None]:
        again = self.decided([plan.entry for plan in plans])
        return {id(plan): now for plan, now in zip(plans, again, strict=True)}

    def confirm(self, plans: list[Plan]) -> list[Plan]:
        again = self.decided([plan.entry for plan in plans])
        return [plan for plan, now in zip(plans, again, strict=True) if now.writes]
