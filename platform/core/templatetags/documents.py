"""Template tags of printable documents (core.documents): ``{% sheet item %}`` and ``{% seal kind %}``."""
from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


class SheetNode(template.Node):
    def __init__(self, item: template.base.FilterExpression, nodelist: template.NodeList) -> None:
        self.item, self.nodelist = item, nodelist

    def render(self, context: template.Context) -> str:
        item = self.item.resolve(context) or {}
        with context.push(**item):
            return self.nodelist.render(context)


@register.tag
def sheet(parser: template.base.Parser, token: template.base.Token) -> SheetNode:
    """``{% sheet item %}...{% endsheet %}``: the block renders with one item's values in the context
    (a batch's sheet sees its own values under their plain names)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("usage: {% sheet item %}...{% endsheet %}")
    nodelist = parser.parse(("endsheet",))
    parser.delete_first_token()
    return SheetNode(parser.compile_filter(bits[1]), nodelist)


@register.simple_tag(takes_context=True)
def seal(context: template.Context, kind: str, css_class: str = "") -> str:
    """The unit's seal of ``kind`` as an image (nothing if the document carries no such seal)."""
    src = (context.get("doc") or {}).get("seal_src", {}).get(kind)
    if not src:
        return ""
    return format_html('<img class="seal seal-{} {}" src="{}" alt="印章">', kind, css_class, src)


@register.filter
def chinese_date(value: Any) -> str:
    """2026年1月5日 (dates on Chinese official documents)."""
    if not value:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"
