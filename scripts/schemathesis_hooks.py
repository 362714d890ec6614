"""Schemathesis hooks: the invoice rules that involve two fields at once.

JSON Schema cannot say "due_on is not before issued_on" or "the line items add up to the
total", so the OpenAPI document says them in words (on `NewInvoice`) and a generated client
would follow them. These hooks make Schemathesis's generated invoices follow them too, so that
what it reports is a rule the document does not state, never one it does.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import schemathesis

# Money::MAX_MINOR_UNITS, as an amount.
MAX_TOTAL = Decimal("999999999.99")


TERM_DAYS = (30, 60, 90, 120, 150)


@schemathesis.hook
def map_case(context, case):
    """Every phase applies `map_case` hooks (the coverage phase does not apply `map_body` ones).
    Only cases meant to be valid are mended: one made to break the schema must still break it."""
    meta = getattr(case, "meta", None)
    mode = getattr(getattr(meta, "generation", None), "mode", None)
    positive = mode is None or str(mode).lower().endswith("positive")
    if positive and case.operation.path == "/api/v1/merchant" and isinstance(case.body, dict):
        case.body = merchant_patch(case.body)
    return case


@schemathesis.hook
def map_body(context, body):
    if not isinstance(body, dict):
        return body
    issued, due = body.get("issued_on"), body.get("due_on")
    if isinstance(issued, str) and isinstance(due, str) and due < issued:
        body["issued_on"], body["due_on"] = due, issued
    lines = body.get("line_items")
    if isinstance(lines, list) and lines and all(isinstance(line, dict) for line in lines):
        total = Decimal(0)
        try:
            for line in lines:
                amount = Decimal(str(line["quantity"]).replace("_", "")) * Decimal(
                    str(line["unit_price"])
                )
                total += amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        except (KeyError, InvalidOperation, TypeError, ValueError):
            return body
        if Decimal(0) < total <= MAX_TOTAL:
            body["total"] = f"{total:.2f}"
        else:
            body.pop("line_items")
    return body


def merchant_patch(body):
    """The settings rules `MerchantPatch` states in words and a schema cannot: methods of the
    merchant's country, each term's length once, and a term while installments are enabled.
    Also what Schemathesis's coverage phase gets wrong: it takes `payments` of one `oneOf`
    branch for another and ignores `maxItems`."""
    methods = body.get("payment_methods")
    if isinstance(methods, list) and methods:
        kept = [code for code in methods if code not in ("ca_pad", "ca_eft")]
        body["payment_methods"] = kept or ["card"]
    installments = body.get("installments")
    if isinstance(installments, dict):
        terms = installments.get("terms")
        if isinstance(terms, list):
            seen, kept = set(), []
            for term in terms:
                if isinstance(term, dict) and term.get("days") in TERM_DAYS:
                    if term["days"] in seen:
                        continue
                    seen.add(term["days"])
                    payments = term.get("payments")
                    if isinstance(payments, (int, float)) and not isinstance(payments, bool):
                        # The coverage phase takes a boundary of one length's `oneOf` branch
                        # for another length: keep it within this length's.
                        term["payments"] = max(2, min(int(payments), term["days"] // 15 + 1))
                kept.append(term)
            installments["terms"] = terms = kept
            if not terms:
                installments["enabled"] = False
        elif installments.get("enabled") is True:
            # An earlier request may have left no terms, with installments off.
            installments["terms"] = [{"days": 30}]
    return body
