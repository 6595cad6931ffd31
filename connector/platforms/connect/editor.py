"""The macro editor Confluence opens in a dialog: pick a team and the macro's options.

Plain HTML that works without all.js (it then only shows the form); when Confluence's all.js is
there, the script reads the macro's current parameters and saves the chosen ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from macros.markup import esc

EDITABLE = ("customer-map", "expectations")
_SIDES = (
    ("both", "Suppliers and customers"),
    ("suppliers", "Suppliers only"),
    ("customers", "Customers only"),
)
_AS = (
    ("supplier", "What its customers expect of it"),
    ("customer", "What it expects of its suppliers"),
)

# Fill the form from the macro's parameters, and save on submit (the dialog's button or ours).
_SCRIPT = """(function(){
var f=document.getElementById('icm-macro-form');
function values(){var p={};Array.prototype.forEach.call(f.elements,function(e){
if(!e.name){return;}p[e.name]=e.type==='checkbox'?String(e.checked):e.value;});return p;}
function save(){if(!window.AP||!window.AP.confluence){return false;}
window.AP.confluence.saveMacro(values());window.AP.confluence.closeMacroEditor();return true;}
f.addEventListener('submit',function(ev){ev.preventDefault();save();});
function ready(){if(!window.AP||!window.AP.confluence){return;}
window.AP.confluence.getMacroData(function(d){d=d||{};
Array.prototype.forEach.call(f.elements,function(e){if(!e.name||d[e.name]===undefined){return;}
if(e.type==='checkbox'){e.checked=String(d[e.name])==='true';}else{e.value=d[e.name];}});});
if(window.AP.dialog&&window.AP.dialog.getButton){
window.AP.dialog.getButton('submit').bind(function(){return save();});}}
window.addEventListener('load',ready);})();"""


def _select(name: str, label: str, options: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'<option value="{esc(v)}">{esc(text)}</option>' for v, text in options)
    return (
        f'<p><label for="icm-{name}">{esc(label)}</label><br>'
        f'<select id="icm-{name}" name="{name}">{items}</select></p>'
    )


def _options(macro: str) -> str:
    if macro == "customer-map":
        return _select("sides", "Show", _SIDES) + (
            '<p><input type="checkbox" id="icm-expectations" name="expectations" value="true">'
            ' <label for="icm-expectations">List each customer\'s expectations</label></p>'
        )
    return _select("side", "Show the team's expectations as", _AS)


def editor_form(macro: str, teams: Sequence[tuple[str, str]]) -> str:
    """The form for `macro`; `teams` are (key, name) pairs of the site's teams."""
    if macro not in EDITABLE:
        return f"<p>The macro “{esc(macro)}” has no options to choose.</p>"
    if not teams:
        return (
            '<p role="status">This site has no teams yet. Add teams on the Internal customers '
            "page in Jira, then insert the macro again.</p>"
        )
    choices = [(key, f"{name} ({key})") for key, name in teams]
    return (
        '<form id="icm-macro-form" class="macro-editor">'
        f"{_select('team', 'Team', choices)}{_options(macro)}"
        '<p><button type="submit">Save</button></p></form>'
        f"<script>{_SCRIPT}</script>"
    )
