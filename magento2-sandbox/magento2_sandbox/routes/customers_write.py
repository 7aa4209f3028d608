# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Customer writes (Magento_Customer webapi.xml):

- `POST /V1/customers {customer, password?}`: AccountManagement::createAccount. The customer is
  saved first, then its addresses; an address Magento refuses deletes the customer again
  (createAccountWithPasswordHash catches the InputException), so nothing is left behind.
- `PUT /V1/customers/{customerId} {customer}`: CustomerRepository::save. The attributes sent
  replace the stored ones, the others are kept (the EAV save writes only the data it holds);
  `addresses` sent replace the customer's set (an address with an id is updated, one without is
  added, a stored one not sent is deleted); `addresses` left out keep the addresses and the
  default billing and shipping ones (CustomerRepository::save, 2.4).
- `DELETE /V1/customers/{customerId}`: CustomerRepository::deleteById, answering true.

Both saves check, in Magento's order: the group (CustomerRepository::validateGroupId), the email
(ResourceModel/Customer.php `_beforeSave`: missing, then already used in the website - or in the
whole store with `customer_share_scope: global`), then the attributes (the `customer` `save`
validator, Eav/Model/Attribute/Data: one message per attribute, joined by new lines by
Framework/Validator/Exception.php), then each address (Customer/Model/Address/Validator/General
and Country; several errors of one address become "One or more input exceptions have occurred.").
Every save moves `updated_at`, so the tap and `GET /V1/customers/search` see it at once.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from magento2_sandbox.asyncbulk import (
    SEVERAL_ERRORS,
    WebapiInputError,
    as_int,
    body_of,
    webapi_input,
)
from magento2_sandbox.errors import WebapiError
from magento2_sandbox.routes.customers import no_such_entity
from magento2_sandbox.routing import Ctx, route

if TYPE_CHECKING:
    from magento2_sandbox.store import Store

# Customer/Model/ResourceModel/Customer.php _beforeSave(); AccountManagement rewords the
# AlreadyExistsException with the same text (InputMismatchException).
DUPLICATE_EMAIL = "A customer with the same email address already exists in an associated website."
EMAIL_MISSING = "The customer email is missing. Enter and try again."
# Customer/Model/ResourceModel/CustomerRepository.php validateGroupId() (a LocalizedException).
NO_SUCH_GROUP = "The specified customer group id does not exist."
# Store/Model/WebsiteRepository.php getById(): StoreManager::getWebsite() of an unknown id.
NO_SUCH_WEBSITE = (
    "The website with id %1 that was requested wasn't found. Verify the website and try again."
)
# AccountManagement::validateCustomerStoreIdByWebsiteId().
STORE_NOT_IN_WEBSITE = "The store view is not in the associated website."
# Eav/Model/Attribute/Data/Text.php validateValue(), AbstractData::_validateInputRule() (email).
REQUIRED_VALUE = '"%1" is a required value.'
NOT_AN_EMAIL = '"%1" is not a valid email address.'
# Customer/Model/Address/Validator/General.php and Country.php.
REQUIRED_FIELD = '"%fieldName" is required. Enter and try again.'
INVALID_VALUE = 'Invalid value of "%value" provided for the %fieldName field.'
# AccountManagement::checkPasswordStrength() with the default configuration
# (customer/password/minimum_password_length 8, required_character_classes_number 3).
TOO_SHORT = "The password needs at least %1 characters. Create a new password and try again."
TOO_FEW_CLASSES = (
    "Minimum of different classes of characters in password is %1. Classes of characters: "
    "Lower Case, Upper Case, Digits, Special Characters."
)
# Customer/Model/Customer/CredentialsValidator.php checkPasswordDifferentFromEmail().
SAME_AS_EMAIL = (
    "The password can't be the same as the email address. Create a new password and try again."
)
MIN_PASSWORD_LENGTH = 8
PASSWORD_CLASS_COUNT = 3
# The customer attributes' store labels (Customer/Setup/Patch/Data/DefaultCustomerAttributes).
REQUIRED_ATTRIBUTES = (("firstname", "First Name"), ("lastname", "Last Name"))
# customer/create_account/default_group (Customer/etc/config.xml): General.
DEFAULT_GROUP = 1
# general/country/optional_zip_countries (Directory/etc/config.xml).
OPTIONAL_ZIP_COUNTRIES = frozenset({"HK", "IE", "MO", "PA", "GB"})
# The regions the sandbox knows (directory_country_region rows of its seed's places); a
# country listed here requires one (general/region/state_required holds US and FR).
REGIONS: dict[str, dict[int, tuple[str, str]]] = {
    "US": {57: ("TX", "Texas"), 49: ("OR", "Oregon"), 43: ("NY", "New York"),
           13: ("CO", "Colorado"), 12: ("CA", "California")},
    "FR": {259: ("69", "Rhône"), 257: ("75", "Paris"), 215: ("33", "Gironde")},
}  # fmt: skip
# Any ISO 3166 alpha-2 code is allowed (general/country/allow lists every country by default).
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# Framework/Validator/EmailAddress (laminas) in short: local part, @, a dotted host.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
ADDRESS_FIELDS = ("firstname", "lastname", "street", "city", "telephone")
CUSTOMER_ARRAYS = {
    "customer.addresses": "\\Magento\\Customer\\Api\\Data\\AddressInterface",
    "customer.custom_attributes": "\\Magento\\Framework\\Api\\AttributeInterface",
}


# -- checks ----------------------------------------------------------------------------------


def _raise_all(errors: list[tuple[str, dict[str, Any]]]) -> None:
    """An InputException: one error is the message, several become SEVERAL_ERRORS."""
    if len(errors) == 1:
        raise WebapiError(400, errors[0][0], errors[0][1])
    if errors:
        raise WebapiInputError(400, SEVERAL_ERRORS, errors)


def _check_group(store: Store, customer: dict[str, Any]) -> None:
    group = customer.get("group_id")
    if group and store.get("customer_groups", as_int(group)) is None:
        raise WebapiError(400, NO_SUCH_GROUP)


def _check_email(ctx: Ctx, customer: dict[str, Any]) -> None:
    email = str(customer.get("email") or "")
    if not email:
        raise WebapiError(400, EMAIL_MISSING)
    # The email column compares without case, as MySQL's utf8 collation does (store.py).
    same = [
        other
        for other in ctx.store.find("customers", email=email)
        if other["id"] != customer.get("id")
        and (
            ctx.settings.customer_share_scope == "global"
            or other.get("website_id") == customer.get("website_id")
        )
    ]
    if same:
        raise WebapiError(400, DUPLICATE_EMAIL)


def _check_attributes(customer: dict[str, Any]) -> None:
    messages = [
        REQUIRED_VALUE.replace("%1", label)
        for name, label in REQUIRED_ATTRIBUTES
        if not str(customer.get(name) or "").strip()
    ]
    if not _EMAIL.match(str(customer.get("email"))):
        messages.append(NOT_AN_EMAIL.replace("%1", "Email"))
    if messages:
        raise WebapiError(400, "\n".join(messages))


def _check_password(password: Any, email: Any) -> None:
    text = str(password)
    if len(text) < MIN_PASSWORD_LENGTH:
        raise WebapiError(400, TOO_SHORT, [MIN_PASSWORD_LENGTH])
    classes = [r"[a-z]", r"[A-Z]", r"\d", r"[^a-zA-Z\d]"]
    if sum(bool(re.search(pattern, text)) for pattern in classes) < PASSWORD_CLASS_COUNT:
        raise WebapiError(400, TOO_FEW_CLASSES, [PASSWORD_CLASS_COUNT])
    if text.lower() == str(email or "").lower():
        raise WebapiError(400, SAME_AS_EMAIL)


def _region(address: dict[str, Any], regions: dict[int, tuple[str, str]]) -> list[Any]:
    """A country with a region list needs one of its regions; the region's names are filled."""
    given = address.get("region")
    region: dict[str, Any] = given if isinstance(given, dict) else {}
    region_id = address.get("region_id") or region.get("region_id")
    if not region_id:
        return [(REQUIRED_FIELD, {"fieldName": "regionId"})]
    if as_int(region_id) not in regions:
        return [(INVALID_VALUE, {"fieldName": "regionId", "value": region_id})]
    address["region_id"] = as_int(region_id)
    code, name = regions[address["region_id"]]
    address["region"] = {"region_code": code, "region": name, "region_id": address["region_id"]}
    return []


def _address(store: Store, given: dict[str, Any], customer_id: int) -> dict[str, Any]:
    """The address as AddressRepository::save stores it, or Magento's refusal."""
    address = {k: v for k, v in given.items() if v is not None}
    errors: list[tuple[str, dict[str, Any]]] = []
    if isinstance(address.get("street"), str):
        address["street"] = [address["street"]]
    for name in ADDRESS_FIELDS:
        value = address.get(name)
        first = value[0] if isinstance(value, list) and value else value
        if not str(first or "").strip():
            errors.append((REQUIRED_FIELD, {"fieldName": name}))
    country = str(address.get("country_id") or "")
    if not address.get("postcode") and country not in OPTIONAL_ZIP_COUNTRIES:
        errors.append((REQUIRED_FIELD, {"fieldName": "postcode"}))
    if not country:
        errors.append((REQUIRED_FIELD, {"fieldName": "countryId"}))
    elif not _COUNTRY.match(country):
        errors.append((INVALID_VALUE, {"fieldName": "countryId", "value": country}))
    elif country in REGIONS:
        errors += _region(address, REGIONS[country])
    _raise_all(errors)
    if not address.get("id"):
        address["id"] = store.next_nested_id("customers", "addresses", id_field="id")
    address["customer_id"] = customer_id
    for flag in ("default_billing", "default_shipping"):
        address[flag] = bool(address.get(flag))
    return address


def _set_addresses(
    store: Store, customer: dict[str, Any], given: list[Any], kept: list[dict[str, Any]]
) -> None:
    """Save the given addresses; the stored ones not among them are gone. An address flagged
    default becomes the customer's default (Customer/Model/Address.php updateData)."""
    known = {int(a["id"]) for a in kept}
    addresses = []
    for item in given:
        address = dict(item) if isinstance(item, dict) else {}
        if address.get("id") and as_int(address["id"]) not in known:
            # AddressRepository::save of an id the customer does not have.
            raise no_such_entity("addressId", str(address["id"]))
        addresses.append(_address(store, address, customer["id"]))
    for flag in ("default_billing", "default_shipping"):
        flagged = [a for a in addresses if a[flag]]
        named = str(customer.get(flag) or "")
        if flagged:
            customer[flag] = str(flagged[-1]["id"])
        elif not any(str(a["id"]) == named for a in addresses):
            customer.pop(flag, None)
        for address in addresses:
            address[flag] = str(address["id"]) == customer.get(flag)
    customer["addresses"] = addresses


def _website(store: Store, customer: dict[str, Any], store_code: str) -> None:
    """store_id and website_id as createAccountWithPasswordHash completes them."""
    if customer.get("website_id") is not None:
        website_id = as_int(customer["website_id"])
        website = store.get("websites", website_id)
        if website is None:
            raise WebapiError(404, NO_SUCH_WEBSITE, [website_id])
        customer["website_id"] = website_id
    if customer.get("store_id") is None:
        if customer.get("website_id") is not None:
            groups = store.find("store_groups", website_id=customer["website_id"])
            customer["store_id"] = groups[0]["default_store_id"] if groups else 0
        else:
            views = store.find("store_views", code=store_code)
            customer["store_id"] = views[0]["id"] if views and views[0]["id"] else 1
    view = store.get("store_views", as_int(customer["store_id"]))
    if view is None:
        raise no_such_entity("storeId", str(customer["store_id"]))
    customer["store_id"] = int(view["id"])
    if customer.get("website_id") is None:
        customer["website_id"] = int(view["website_id"])
    elif int(view["website_id"]) != customer["website_id"]:
        raise WebapiError(400, STORE_NOT_IN_WEBSITE)
    customer["created_in"] = view.get("name")


# -- routes ----------------------------------------------------------------------------------


def _given_customer(ctx: Ctx) -> dict[str, Any]:
    given = body_of(ctx).get("customer")
    return copy.deepcopy(given) if isinstance(given, dict) else {}


@route("POST", "/V1/customers")
@webapi_input(
    required=("customer",),
    service="Magento\\Customer\\Model\\AccountManagement\\Interceptor::createAccount",
    arrays=CUSTOMER_ARRAYS,
)
def create_customer(ctx: Ctx) -> dict[str, Any]:
    customer = _given_customer(ctx)
    password = body_of(ctx).get("password")
    if password is not None:
        _check_password(password, customer.get("email"))
    for name in ("id", "created_at", "updated_at", "default_billing", "default_shipping"):
        customer.pop(name, None)
    # An address given with an id is saved as a new one (createAccountWithPasswordHash clones
    # it without its id).
    addresses = [
        {k: v for k, v in a.items() if k != "id"} if isinstance(a, dict) else a
        for a in customer.pop("addresses", None) or []
    ]
    store = ctx.store
    with store.transaction():
        _website(store, customer, ctx.store_code)
        customer.setdefault("group_id", DEFAULT_GROUP)
        _check_group(store, customer)
        _check_email(ctx, customer)
        _check_attributes(customer)
        customer["id"] = store.next_id("customers")
        customer.setdefault("disable_auto_group_change", 0)
        customer["group_id"] = as_int(customer["group_id"])
        _set_addresses(store, customer, addresses, [])
        return store.put("customers", customer)


@route("PUT", "/V1/customers/{customerId}")
@webapi_input(
    required=("customer",),
    integers=("customerId",),
    path_params={"customerId": "customer.id"},
    service="Magento\\Customer\\Model\\ResourceModel\\CustomerRepository\\Interceptor::save",
    arrays=CUSTOMER_ARRAYS,
)
def save_customer(ctx: Ctx, customerId: str) -> dict[str, Any]:  # noqa: N803 - Magento's name
    given = _given_customer(ctx)
    customer_id = as_int(customerId)
    store = ctx.store
    with store.transaction():
        stored = store.get("customers", customer_id)
        if stored is None:
            raise no_such_entity("customerId", str(customer_id))
        customer = {**stored, **given, "id": customer_id, "created_at": stored["created_at"]}
        if isinstance(given.get("custom_attributes"), list):
            merged = {a["attribute_code"]: a for a in stored.get("custom_attributes") or []}
            merged |= {a["attribute_code"]: a for a in given["custom_attributes"]}
            customer["custom_attributes"] = list(merged.values())
        if isinstance(given.get("extension_attributes"), dict):
            customer["extension_attributes"] = {
                **(stored.get("extension_attributes") or {}),
                **given["extension_attributes"],
            }
        _check_group(store, customer)
        customer["group_id"] = as_int(customer.get("group_id") or stored.get("group_id"))
        customer["website_id"] = as_int(customer.get("website_id"))
        # The required attributes are checked on what was sent: a PUT without firstname is
        # refused even though the customer has one (the validator reads the model's data).
        _check_email(ctx, customer)
        _check_attributes({**given, "email": customer.get("email")})
        if "addresses" in given:
            _set_addresses(store, customer, given.get("addresses") or [], stored["addresses"])
        else:
            customer["addresses"] = stored.get("addresses") or []
        return store.put("customers", customer)


@route("DELETE", "/V1/customers/{customerId}")
def delete_customer(ctx: Ctx, customerId: str) -> bool:  # noqa: N803 - Magento's name
    store = ctx.store
    with store.transaction():
        if store.get("customers", customerId) is None:
            # CustomerRepository::getById: NoSuchEntityException::singleField('customerId', ..)
            raise no_such_entity("customerId", str(customerId))
        store.delete("customers", customerId)
    return True
