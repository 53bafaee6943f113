{% call wrap('b') %}bold {{ 1 + 1 }}{% endcall %}
{% call(item, n) each(['x', 'y', 'z']) %}{{ n }}={{ item | upper }}{% endcall %}
