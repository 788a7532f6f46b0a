from typing import Optional

from shop.models import Order


def unpaid_report(limit: Optional[int] = None) -> list[str]:
    lines = []
    for order in Order.objects.filter(paid=False)[:limit]:
        lines.append(f"{order.customer.name}: {order.total}")
    return lines


def has_unpaid() -> bool:
    return len(Order.objects.filter(paid=False)) > 0
