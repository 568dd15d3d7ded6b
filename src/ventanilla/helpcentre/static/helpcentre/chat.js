/* ventanilla web chat page: pick a language, write, and see replies without reloading. */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  var channel = root.dataset.channel;
  var chosen = root.dataset.chosen;
  var list = document.getElementById("messages");
  var status = document.getElementById("status");
  var pollEvery = parseInt(root.dataset.poll, 10) || 1500;
  var last = 0;

  /* The visitor's token and language live in this page's storage when the browser allows
     it; inside another site's frame it often does not, and the widget on that site keeps
     them instead. The widget hands them over by postMessage, and only a page of the desk's
     own or allowed sites (data-hosts) that frames this one is listened to or told of
     changes: a link or a foreign site can never give this page a token, nor read it. */
  var hosts = [];
  try { hosts = JSON.parse(root.dataset.hosts || "[]"); } catch (error) { hosts = []; }
  var framed = window.parent !== window;
  var hostOrigin = "";
  var kept = {token: "", language: ""};
  function read(name) {
    try {
      var value = window.localStorage.getItem("ventanilla:" + channel + ":" + name);
      if (value) { return value; }
    } catch (error) { /* no storage here: use what the widget handed over */ }
    return kept[name] || "";
  }
  function tellHost() {
    if (framed && hostOrigin) {
      window.parent.postMessage({ventanilla: {channel: channel, token: kept.token, language: kept.language}}, hostOrigin);
    }
  }
  function write(name, value) {
    kept[name] = value;
    try {
      if (value) { window.localStorage.setItem("ventanilla:" + channel + ":" + name, value); }
      else { window.localStorage.removeItem("ventanilla:" + channel + ":" + name); }
    } catch (error) { /* the widget keeps it */ }
    tellHost();
  }
  function withLanguage(code) {
    var url = new URL(window.location.href);
    url.searchParams.set("lang", code);
    url.searchParams.delete("choose");
    url.hash = "";
    window.location.replace(url.toString());
  }
  window.addEventListener("message", function (event) {
    var data = event.data && event.data.ventanilla;
    if (!framed || event.source !== window.parent || hosts.indexOf(event.origin) < 0) { return; }
    if (!data || data.channel !== channel) { return; }
    hostOrigin = event.origin;
    if (!token && typeof data.token === "string" && data.token) {
      kept.token = token = data.token;  /* the polling loop picks it up */
    }
  });
  kept.token = read("token");
  kept.language = read("language");
  var token = kept.token;
  var language = kept.language;

  if (new URLSearchParams(window.location.search).has("choose")) {
    write("language", "");
    language = "";
  } else if (chosen) {
    write("language", chosen);
    language = chosen;
  } else if (language) {
    withLanguage(language);
    return;
  }
  document.querySelectorAll("a[data-lang]").forEach(function (link) {
    link.addEventListener("click", function (event) {  /* keep the token through the reload */
      event.preventDefault();
      write("language", link.dataset.lang);
      withLanguage(link.dataset.lang);
    });
  });
  document.getElementById("change-language").addEventListener("click", function (event) {
    event.preventDefault();
    write("language", "");
    var url = new URL(window.location.href);
    url.searchParams.delete("lang");
    url.searchParams.set("choose", "1");
    url.hash = "";
    window.location.replace(url.toString());
  });
  if (!chosen) { return; }

  function call(method, url, body) {
    var headers = {"Content-Type": "application/json"};
    if (token) { headers["X-Visitor-Token"] = token; }
    return fetch(url, {method: method, headers: headers, body: body ? JSON.stringify(body) : undefined,
                       credentials: "omit"});
  }
  function ensureToken() {
    if (token) { return Promise.resolve(token); }
    return call("POST", root.dataset.session).then(function (response) {
      if (!response.ok) { throw new Error("session " + response.status); }
      return response.json();
    }).then(function (body) {
      token = body.token;
      write("token", token);
      return token;
    });
  }
  /* A message's text as text nodes, and its web addresses as links that open apart, each
     isolated and left to right (inside Arabic too): built node by node, never as HTML. */
  var address = /https?:\/\/[^\s<>"'\u200e\u200f\u202a-\u202e\u2066-\u2069]+/gi;
  var trailing = ".,;:!?)]}\u00bb\u201d\u2019\u061f\u060c";
  function count(text, mark) { return text.split(mark).length - 1; }
  function appendLinked(parent, text) {
    var last = 0;
    text.replace(address, function (found, start) {
      var url = found;
      while (url && trailing.indexOf(url.charAt(url.length - 1)) >= 0) {
        if (url.charAt(url.length - 1) === ")" && count(url, "(") >= count(url, ")")) { break; }
        url = url.slice(0, -1);
      }
      if (url.length <= "https://".length) { return found; }
      parent.appendChild(document.createTextNode(text.slice(last, start)));
      var isolated = document.createElement("bdi");
      var link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      link.dir = "ltr";
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      isolated.appendChild(link);
      parent.appendChild(isolated);
      last = start + url.length;
      return found;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }
  function show(message) {
    if (document.getElementById("m-" + message.id)) { return; }
    var item = document.createElement("li");
    item.id = "m-" + message.id;
    item.className = "message " + message.direction;
    var text = document.createElement("p");
    text.dir = "auto";
    appendLinked(text, message.text || "");
    item.appendChild(text);
    if (message.choices && message.choices.length) {
      var choices = document.createElement("div");
      choices.className = "choices";
      message.choices.forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.title;
        button.addEventListener("click", function () { send(choice.title, choice); });
        choices.appendChild(button);
      });
      item.appendChild(choices);
    }
    var time = document.createElement("time");
    time.dateTime = message.at;
    time.textContent = new Date(message.at).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"});
    item.appendChild(time);
    list.appendChild(item);
    last = Math.max(last, message.id);
    item.scrollIntoView({block: "end"});
  }
  function forget() {  /* a token the server refuses (issued before, or not by it) */
    token = "";
    write("token", "");
  }
  function poll() {
    if (!token) { window.setTimeout(poll, pollEvery); return; }
    call("GET", root.dataset.api + "?after=" + last).then(function (response) {
      if (response.status === 401) { forget(); }
      return response.ok ? response.json() : {messages: []};
    }).then(function (body) {
      body.messages.forEach(show);
    }).catch(function () {}).then(function () { window.setTimeout(poll, pollEvery); });
  }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }
  function send(text, choice, clientId, attempt) {
    clientId = clientId || newId();
    attempt = attempt || 0;
    status.textContent = "";
    return ensureToken().then(function () {
      return call("POST", root.dataset.api, {text: text, language: language, client_id: clientId, choice: choice});
    }).then(function (response) {
      if (response.status === 429) { status.textContent = root.dataset.slow; return; }
      if (response.status === 401) { forget(); }
      if (!response.ok) { throw new Error("send " + response.status); }
      return response.json().then(show);
    }).catch(function () {
      status.textContent = root.dataset.error;
      if (attempt < 5) {  /* the same client id: sent twice, it is stored once */
        window.setTimeout(function () { send(text, choice, clientId, attempt + 1); }, 2000 * (attempt + 1));
      }
    });
  }
  document.getElementById("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    var field = document.getElementById("text");
    var text = field.value.trim();
    if (!text) { return; }
    field.value = "";
    send(text);
  });
  document.getElementById("text").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      document.getElementById("composer").requestSubmit();
    }
  });
  /* Writing is enabled once the page can send: not before this script has run. */
  document.querySelectorAll("#composer textarea, #composer button").forEach(function (field) {
    field.disabled = false;
  });
  poll();
})();
