"""Leaflet maps built with folium that work offline.

folium's defaults load Leaflet, jQuery, Bootstrap and Font Awesome from CDNs and write page-wide
styles (`html, body {height:100%}`) into its header. Here only the map's own script is taken from
folium; Leaflet comes from our vendored copy (static/vendor/leaflet, 1.9.4), popups are bound as
plain strings (folium's use jQuery), and tiles are optional: when they fail to load, the tile layer
is dropped and the pins stay on a plain background with a note saying so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from jinja2 import Template
from markupsafe import Markup, escape

LEAFLET_JS = "/static/vendor/leaflet/leaflet.js"
LEAFLET_CSS = "/static/vendor/leaflet/leaflet.css"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
PLAIN_BACKGROUND = "#eef2f6"
# Approximate pins are drawn as circles as wide as the uncertainty they stand for.
UNCERTAINTY_M = {"subdistrict": 3000, "district": 8000}
PRECISION_COLOR = {"exact": "#0b5cad", "subdistrict": "#9a6700", "district": "#c62828"}


@dataclass(frozen=True)
class Pin:
    lat: float
    lon: float
    precision: str  # exact | subdistrict | district
    label: str  # plain text; escaped here
    url: str | None = None
    precision_label: str = ""


@dataclass(frozen=True)
class Polyline:
    points: Sequence[tuple[float, float]]
    color: str
    label: str


@dataclass(frozen=True)
class MapParts:
    head: Markup  # goes into <head>: our Leaflet assets and the map's size
    html: Markup  # the map's <div> and its script


class _PlainPopup(MacroElement):
    """bindPopup with an HTML string (folium's Popup builds its content with jQuery)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "PlainPopup"
        self.html = html


class _TapToSearch(MacroElement):
    """A tap on the map searches around that point: the page's own URL with near=lat,lon."""

    _template = Template(
        """{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.on("click", function (e) {
  var u = new URL(window.location.href);
  u.searchParams.set("near", e.latlng.lat.toFixed(6) + "," + e.latlng.lng.toFixed(6));
  u.searchParams.delete("lat"); u.searchParams.delete("lon"); u.searchParams.delete("page");
  u.searchParams.set("sort", "distance");
  window.location.href = u.toString();
});
{% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "TapToSearch"


class _Background(MacroElement):
    """Plain background behind the pins; drop the tiles (and say so) as soon as one fails."""

    _template = Template(
        """{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  map.getContainer().style.background = {{ this.background|tojson }};
  function note() {
    var c = L.control({position: "bottomleft"});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", "map-offline-note");
      d.textContent = {{ this.message|tojson }};
      d.style.background = "#fff"; d.style.padding = "2px 6px"; d.style.fontSize = "12px";
      return d;
    };
    c.addTo(map);
  }
  {% if this.tiles %}
  var tiles = {{ this.tiles }}, failed = false;
  tiles.on("tileerror", function () {
    if (failed) { return; }
    failed = true;
    map.removeLayer(tiles);
    note();
  });
  {% else %}
  note();
  {% endif %}
})();
{% endmacro %}"""
    )

    def __init__(self, tiles: str | None, message: str) -> None:
        super().__init__()
        self._name = "Background"
        self.tiles = tiles
        self.message = message
        self.background = PLAIN_BACKGROUND


def build(
    pins: Iterable[Pin], tiles_url: str | None, offline_message: str, lines: Iterable[Polyline] = (),
    centre: tuple[float, float] | None = None, circle_m: float | None = None, tap_to_search: bool = False,
) -> MapParts:  # fmt: skip
    """A map of pins (and rail lines); fitted to what it shows. tiles_url None: no tiles at all."""
    pins = list(pins)
    lines = list(lines)
    m = folium.Map(location=centre or (13.7563, 100.5018), zoom_start=13, tiles=None, control_scale=True)
    # Our own Leaflet only: no CDN scripts or styles in the page.
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    tile_name = None
    if tiles_url:
        layer = folium.TileLayer(tiles_url, attr=OSM_ATTRIBUTION if tiles_url == OSM_TILES else "tiles")
        layer.add_to(m)
        tile_name = layer.get_name()
    m.add_child(_Background(tile_name, offline_message))
    if tap_to_search:
        m.add_child(_TapToSearch())
    bounds: list[tuple[float, float]] = []
    approximate = sum(1 for p in pins if p.precision != "exact")
    for line in lines:
        folium.PolyLine(
            list(line.points), color=line.color, weight=5, opacity=0.8, tooltip=line.label
        ).add_to(m)
        bounds.extend(line.points)
    if centre is not None and circle_m:
        folium.Circle(centre, radius=circle_m, color="#0b5cad", fill=False, dash_array="6").add_to(m)
        bounds.append(centre)
    for pin in pins:
        color = PRECISION_COLOR.get(pin.precision, "#555")
        text = f"{pin.label} · {pin.precision_label}" if pin.precision_label else pin.label
        # folium puts a tooltip into a JS template literal as raw HTML: a lot's name is untrusted.
        tip = str(escape(text)).replace("`", "&#96;").replace("$", "&#36;")
        if pin.precision == "exact":
            marker: folium.Element = folium.Marker((pin.lat, pin.lon), tooltip=tip)
        else:
            marker = folium.CircleMarker(
                (pin.lat, pin.lon), radius=7, color=color, fill=True, fill_opacity=0.9, tooltip=tip
            )
            if approximate <= 3:  # more would bury the map in overlapping circles; colour still tells
                folium.Circle(
                    (pin.lat, pin.lon), radius=UNCERTAINTY_M.get(pin.precision, 5000), color=color,
                    weight=1, fill=True, fill_opacity=0.06, dash_array="4",
                ).add_to(m)  # fmt: skip
        body = escape(text)
        if pin.url:
            body = Markup('<a href="{}">{}</a>').format(pin.url, text)
        marker.add_child(_PlainPopup(str(body)))
        marker.add_to(m)
        bounds.append((pin.lat, pin.lon))
    if len(bounds) > 1:
        m.fit_bounds([[min(b[0] for b in bounds), min(b[1] for b in bounds)],
                      [max(b[0] for b in bounds), max(b[1] for b in bounds)]], max_zoom=16)  # fmt: skip
    elif bounds:
        m.location = list(bounds[0])
        # Zoom out for an approximate pin so its whole circle of uncertainty is in view.
        m.options["zoom"] = {"subdistrict": 12, "district": 11}.get(pins[0].precision, 15) if pins else 14
    root = m.get_root()
    root.render()
    name = m.get_name()
    head = Markup(
        '<link rel="stylesheet" href="{css}">\n<script src="{js}"></script>\n'
        "<style>#{name} {{ position: relative; width: 100%; height: 100%; }}</style>"
    ).format(css=LEAFLET_CSS, js=LEAFLET_JS, name=name)
    html = Markup('<div class="folium-map" id="{}"></div>\n<script>{}</script>').format(
        name, Markup(root.script.render())
    )
    return MapParts(head, html)
