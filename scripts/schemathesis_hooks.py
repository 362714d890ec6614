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
