/* ventanilla web chat page: pick a language, write, and see replies without reloading. */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  var channel = root.dataset.channel;
  var key = function (name) { return "ventanilla:" + channel + ":" + name; };
  var chosen = root.dataset.chosen;
  var language = localStorage.getItem(key("language"));
  var token = localStorage.getItem(key("token"));
  var last = 0;
  var list = document.getElementById("messages");
  var status = document.getElementById("status");
  var pollEvery = parseInt(root.dataset.poll, 10) || 1500;

  function withLanguage(code) {
    var url = new URL(window.location.href);
    url.searchParams.set("lang", code);
    window.location.replace(url.toString());
  }
  if (language && language !== chosen) { withLanguage(language); return; }
  document.querySelectorAll("[data-lang]").forEach(function (button) {
    button.addEventListener("click", function () {
      localStorage.setItem(key("language"), button.dataset.lang);
      withLanguage(button.dataset.lang);
    });
  });
  document.getElementById("change-language").addEventListener("click", function () {
    localStorage.removeItem(key("language"));
    document.getElementById("languages").hidden = false;
    document.getElementById("conversation").hidden = true;
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
      localStorage.setItem(key("token"), token);
      return token;
    });
  }
  function show(message) {
    if (document.getElementById("m-" + message.id)) { return; }
    var item = document.createElement("li");
    item.id = "m-" + message.id;
    item.className = "message " + message.direction;
    var text = document.createElement("p");
    text.dir = "auto";
    text.textContent = message.text;
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
  function poll() {
    if (!token) { window.setTimeout(poll, pollEvery); return; }
    call("GET", root.dataset.api + "?after=" + last).then(function (response) {
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
  poll();
})();
