"""Flags, as the product shows them for an app: a stack at the bottom left of the product's page
(not inside the app's iframe). Connect's `AP.flag.create` (the sandbox's all.js) posts
`{type: "ap-flag", ...}` to the page; Forge's `showFlag` (the sandbox's bridge) posts
`{type: "forge-flag", ...}`. Each becomes a `.host-flag` in `#host-flags`, newest first. The
flags have their own column at the left, as over the product's sidebar: once one is shown, the
page keeps a 392 px gutter, so a flag never covers the app's frame or its controls."""

from __future__ import annotations

HOST_FLAGS = (
    "window.addEventListener('message',function(e){var d=e.data;"
    "if(!d||(d.type!=='ap-flag'&&d.type!=='forge-flag'))return;"
    "var box=document.getElementById('host-flags');"
    "if(!box){box=document.createElement('section');box.id='host-flags';"
    "box.setAttribute('aria-label','Flags');"
    "box.style.cssText='position:fixed;left:16px;bottom:16px;width:360px;z-index:9;"
    "font-family:system-ui,sans-serif';document.body.appendChild(box);"
    "document.body.style.paddingLeft='392px';}"
    "var f=document.createElement('div');f.className='host-flag';"
    "f.setAttribute('role',d.kind==='error'?'alert':'status');f.dataset.kind=d.kind||'info';"
    "f.style.cssText='background:#fff;color:#172b4d;border:1px solid #091e4224;"
    "box-shadow:0 4px 8px #091e4240;border-radius:4px;padding:12px;margin-top:8px';"
    "var t=document.createElement('strong');t.textContent=d.title||'';f.appendChild(t);"
    "if(d.body){var p=document.createElement('p');p.style.margin='4px 0 0';"
    "p.textContent=d.body;f.appendChild(p);}"
    "box.insertBefore(f,box.firstChild);});"
)
