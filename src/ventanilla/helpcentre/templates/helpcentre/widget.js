{% load i18n %}/* ventanilla web chat: add <script src="…/widget.js" defer></script> to any page. */
(function () {
  "use strict";
  if (window.__ventanillaChat) { return; }
  window.__ventanillaChat = true;
  var chatUrl = {{ chat_url_json|safe }};
  var chatOrigin = new URL(chatUrl).origin;
  var channel = {{ channel_json|safe }};
  /* The chat runs in a frame from another site, where browsers often refuse it storage:
     this page (the host site's own) keeps the visitor's token and language for it. */
  var key = "ventanilla:" + channel;
  var saved = {};
  try { saved = JSON.parse(window.localStorage.getItem(key) || "{}"); } catch (error) { saved = {}; }
  var open = false;
  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-label", "{% translate 'Chat with us'|escapejs %}");
  button.textContent = "💬";
  button.style.cssText = "position:fixed;bottom:16px;right:16px;inset-inline-end:16px;z-index:2147483000;" +
    "width:56px;height:56px;border-radius:50%;border:0;background:#1f5fae;color:#fff;font-size:26px;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer";
  var frame = document.createElement("iframe");
  frame.title = "{% translate 'Chat with us'|escapejs %}";
  frame.src = chatUrl + (saved.language ? "?lang=" + encodeURIComponent(saved.language) : "");
  /* The token goes to the chat's own origin by postMessage, never in an address. */
  frame.addEventListener("load", function () {
    frame.contentWindow.postMessage({ventanilla: {channel: channel, token: saved.token || "", language: saved.language || ""}}, chatOrigin);
  });
  frame.style.cssText = "position:fixed;bottom:84px;right:16px;z-index:2147483000;border:1px solid #d9dde5;" +
    "border-radius:12px;background:#fff;box-shadow:0 8px 28px rgba(0,0,0,.2);display:none;" +
    "width:min(380px,calc(100vw - 32px));height:min(600px,calc(100vh - 110px))";
  window.addEventListener("message", function (event) {
    var data = event.data && event.data.ventanilla;
    if (event.origin !== chatOrigin || event.source !== frame.contentWindow || !data || data.channel !== channel) { return; }
    saved = {token: data.token || "", language: data.language || ""};
    try { window.localStorage.setItem(key, JSON.stringify(saved)); } catch (error) { /* kept for this visit */ }
  });
  button.addEventListener("click", function () {
    open = !open;
    frame.style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "✕" : "💬";
  });
  function mount() { document.body.appendChild(frame); document.body.appendChild(button); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
