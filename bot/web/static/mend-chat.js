/*
 * Mend Assistant chat widget: plain JavaScript on socket.io-client (load socket.io.min.js first).
 *
 * Talks to Rasa's socket.io channel (bot/channels/socketio.py): "session_request" /
 * "session_confirm" to keep one conversation id across page loads, "user_uttered" out and
 * "bot_uttered" in. Rasa does not replay history to a reconnecting page, so the widget keeps its
 * own transcript in sessionStorage: it survives a reload but not closing the tab, so a shared
 * computer does not keep a patient's health conversation ("New chat" clears it too).
 *
 * Every piece of user or bot text goes into the page with textContent, never innerHTML, and only
 * http(s) links from the bot become anchors.
 *
 * Options, as data- attributes on this script tag:
 *   data-rasa-url      the Rasa server, e.g. https://chat.example-clinic.com (required)
 *   data-socket-path   socket.io path on that server (default /socket.io)
 *   data-clinic-phone  shown when the assistant cannot be reached
 *   data-init-payload  sent (not shown) when a new conversation opens (default /greet; "" = none)
 *   data-title         heading of the chat panel (default "Mend Assistant")
 */
(function () {
  "use strict";

  var script = document.currentScript || {};
  var data = script.dataset || {};
  var config = {
    rasaUrl: (data.rasaUrl || "http://localhost:5005").replace(/\/+$/, ""),
    socketPath: data.socketPath || "/socket.io",
    clinicPhone: data.clinicPhone || "",
    initPayload: "initPayload" in data ? data.initPayload : "/greet",
    title: data.title || "Mend Assistant"
  };
  var HUMAN_PAYLOAD = "/talk_to_human";
  var HUMAN_TITLE = "Talk to a person";
  var MAX_TRANSCRIPT = 200;
  var KEY_SESSION = "mendChat.sessionId";
  var KEY_TRANSCRIPT = "mendChat.transcript";
  var KEY_OPEN = "mendChat.open";
  var SOURCES_TEXT = /^\s*sources?\s*:/i;
  var URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;

  // ---- storage (may be unavailable: private mode, blocked cookies) ----
  function load(store, key, fallback) {
    try {
      var raw = window[store].getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }
  function save(store, key, value) {
    try {
      if (value === null) window[store].removeItem(key);
      else window[store].setItem(key, JSON.stringify(value));
    } catch (e) { /* the chat still works, it just won't survive a reload */ }
  }

  var state = {
    sessionId: load("sessionStorage", KEY_SESSION, null),
    transcript: load("sessionStorage", KEY_TRANSCRIPT, []),
    socket: null,
    ready: false,
    queue: [],
    // Per turn: the "Sources:" text shown in case no structured sources follow, and whether
    // structured sources (rendered as links) already arrived.
    sourcesTextEntries: [],
    sourcesRendered: false,
    typingTimer: null
  };
  if (!Array.isArray(state.transcript)) state.transcript = [];

  // ---- DOM helpers ----
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "className") node.className = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function srOnly(text) {
    return el("span", { className: "mend-chat__sr" }, text);
  }
  function safeUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      var url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }
  function link(href, text) {
    var a = el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, text);
    a.appendChild(srOnly(" (opens in a new tab)"));
    return a;
  }
  // Text with any http(s) URLs in it turned into links; everything else stays text.
  function appendText(parent, text) {
    var last = 0;
    String(text).replace(URL_IN_TEXT, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]]+$/, "");
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var href = safeUrl(url);
      parent.appendChild(href ? link(href, url) : document.createTextNode(url));
      last = offset + url.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // ---- the widget's markup ----
  var root = el("div", { className: "mend-chat" });
  var toggle = el("button", {
    type: "button", className: "mend-chat__toggle",
    "aria-expanded": "false", "aria-controls": "mend-chat-panel"
  }, "Chat with us");
  var panel = el("section", {
    id: "mend-chat-panel", className: "mend-chat__panel", "aria-labelledby": "mend-chat-title"
  });
  panel.hidden = true;
  var header = el("div", { className: "mend-chat__header" });
  var heading = el("h2", { id: "mend-chat-title", className: "mend-chat__title" }, config.title);
  var restart = el("button", { type: "button", className: "mend-chat__restart" }, "New chat");
  var close = el("button", {
    type: "button", className: "mend-chat__close", "aria-label": "Close chat"
  }, "\u00d7");
  header.appendChild(heading);
  header.appendChild(restart);
  header.appendChild(close);
  var status = el("p", { className: "mend-chat__status", role: "status", "aria-live": "polite" });
  var log = el("div", {
    className: "mend-chat__log", role: "log", "aria-live": "polite",
    "aria-label": "Conversation", tabindex: "0"
  });
  var typing = el("div", { className: "mend-chat__typing", "aria-hidden": "true" }, "\u2022\u2022\u2022");
  typing.hidden = true;
  var actions = el("div", { className: "mend-chat__actions" });
  var human = el("button", { type: "button", className: "mend-chat__human" }, HUMAN_TITLE);
  actions.appendChild(human);
  var form = el("form", { className: "mend-chat__form" });
  var label = el("label", { for: "mend-chat-input", className: "mend-chat__sr" }, "Your message");
  var input = el("input", {
    id: "mend-chat-input", className: "mend-chat__input", type: "text",
    autocomplete: "off", enterkeyhint: "send", placeholder: "Type your question\u2026"
  });
  var send = el("button", { type: "submit", className: "mend-chat__send" }, "Send");
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);
  [header, status, log, typing, actions, form].forEach(function (part) { panel.appendChild(part); });
  root.appendChild(panel);
  root.appendChild(toggle);

  // ---- rendering transcript entries ----
  function renderSources(sources) {
    var box = el("div", { className: "mend-chat__sources" });
    box.appendChild(el("p", { className: "mend-chat__sources-title" }, "Sources"));
    var list = el("ul");
    sources.forEach(function (source) {
      var item = el("li");
      var title = source.title || source.short || "Source";
      var main = safeUrl(source.doi_url) || safeUrl(source.url) ||
        safeUrl(source.pubmed_url) || safeUrl(source.pmc_url);
      item.appendChild(main ? link(main, title) : el("span", {}, title));
      if (source.short && source.short !== title) {
        item.appendChild(document.createTextNode(" \u2014 " + source.short));
      }
      [["PubMed", source.pubmed_url], ["Free full text (PMC)", source.pmc_url]].forEach(function (pair) {
        var href = safeUrl(pair[1]);
        if (href && href !== main) {
          item.appendChild(document.createTextNode(" \u00b7 "));
          item.appendChild(link(href, pair[0]));
        }
      });
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function renderButtons(buttons) {
    var group = el("div", { className: "mend-chat__buttons", role: "group", "aria-label": "Suggested replies" });
    buttons.forEach(function (button) {
      var node = el("button", { type: "button", className: "mend-chat__choice" }, button.title);
      node.addEventListener("click", function () {
        sendUser(button.payload, button.title);
      });
      group.appendChild(node);
    });
    return group;
  }

  function renderEntry(entry) {
    var mine = entry.who === "user";
    var node = el("div", { className: "mend-chat__msg mend-chat__msg--" + (mine ? "user" : "bot") });
    node.appendChild(srOnly(mine ? "You: " : "Assistant: "));
    if (entry.text) {
      var body = el("p", { className: "mend-chat__text" });
      if (mine) body.textContent = entry.text;
      else appendText(body, entry.text);
      node.appendChild(body);
    }
    if (entry.sources && entry.sources.length) node.appendChild(renderSources(entry.sources));
    if (entry.buttons && entry.buttons.length) node.appendChild(renderButtons(entry.buttons));
    entry.node = node;
    log.appendChild(node);
    return node;
  }

  // Only the newest message's buttons answer the current question; older ones are disabled.
  function retireOldButtons() {
    var groups = log.querySelectorAll(".mend-chat__buttons");
    var lastMessage = log.lastElementChild;
    Array.prototype.forEach.call(groups, function (group) {
      var current = group.parentNode === lastMessage;
      Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
        b.disabled = !current;
      });
    });
  }

  function persist() {
    var plain = state.transcript.slice(-MAX_TRANSCRIPT).map(function (entry) {
      return { who: entry.who, text: entry.text, buttons: entry.buttons, sources: entry.sources };
    });
    save("sessionStorage", KEY_TRANSCRIPT, plain);
  }

  function add(entry) {
    state.transcript.push(entry);
    if (state.transcript.length > MAX_TRANSCRIPT) {
      var dropped = state.transcript.shift();
      if (dropped.node && dropped.node.parentNode) dropped.node.parentNode.removeChild(dropped.node);
    }
    renderEntry(entry);
    retireOldButtons();
    persist();
    log.scrollTop = log.scrollHeight;
    return entry;
  }

  function remove(entry) {
    var index = state.transcript.indexOf(entry);
    if (index >= 0) state.transcript.splice(index, 1);
    if (entry.node && entry.node.parentNode) entry.node.parentNode.removeChild(entry.node);
    retireOldButtons();
    persist();
  }

  function showTyping(on) {
    clearTimeout(state.typingTimer);
    typing.hidden = !on;
    if (on) state.typingTimer = setTimeout(function () { typing.hidden = true; }, 20000);
  }

  // ---- messages from the bot ----
  function cleanSources(sources) {
    if (!Array.isArray(sources)) return [];
    return sources.filter(function (s) { return s && typeof s === "object"; }).map(function (s) {
      var keep = {};
      ["id", "kind", "title", "short", "url", "doi_url", "pubmed_url", "pmc_url"].forEach(function (k) {
        if (typeof s[k] === "string") keep[k] = s[k];
      });
      return keep;
    });
  }

  function cleanButtons(replies) {
    if (!Array.isArray(replies)) return [];
    return replies.filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string";
    }).map(function (b) { return { title: b.title, payload: b.payload }; });
  }

  function onBotMessage(message) {
    if (!message || typeof message !== "object") return;
    showTyping(false);
    var text = typeof message.text === "string" ? message.text : "";
    var buttons = cleanButtons(message.quick_replies || message.buttons);
    var custom = message.custom && typeof message.custom === "object" ? message.custom : null;
    if (custom) {
      var sources = cleanSources(custom.sources);
      if (sources.length) {
        // The same citations came as plain text for channels without links: show them once.
        state.sourcesTextEntries.forEach(remove);
        state.sourcesTextEntries = [];
        state.sourcesRendered = true;
        add({ who: "bot", text: typeof custom.text === "string" ? custom.text : "", sources: sources });
      } else if (typeof custom.text === "string" && custom.text) {
        add({ who: "bot", text: custom.text });
      }
      return;
    }
    if (!text && !buttons.length) return;
    var isSourcesText = SOURCES_TEXT.test(text) && !buttons.length;
    if (isSourcesText && state.sourcesRendered) return;
    var entry = add({ who: "bot", text: text, buttons: buttons });
    if (isSourcesText) state.sourcesTextEntries.push(entry);
  }

  // ---- messages to the bot ----
  function emitMessage(payload) {
    if (!state.ready) {
      state.queue.push(payload);
      connect();
      return;
    }
    state.socket.emit("user_uttered", { message: payload, session_id: state.sessionId });
  }

  function sendUser(payload, shownText) {
    state.sourcesTextEntries = [];
    state.sourcesRendered = false;
    add({ who: "user", text: shownText });
    showTyping(true);
    emitMessage(payload);
  }

  // ---- connection ----
  function setStatus(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }
  setStatus("");

  function unreachableText() {
    return "Can't reach the assistant right now. Please try again later" +
      (config.clinicPhone ? " or call the clinic at " + config.clinicPhone + "." : ".");
  }

  function connect() {
    if (state.socket) return;
    if (typeof window.io !== "function") {
      setStatus(unreachableText());
      return;
    }
    var socket = window.io(config.rasaUrl, { path: config.socketPath, reconnectionDelayMax: 10000 });
    state.socket = socket;
    socket.on("connect", function () {
      setStatus("");
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", function (sessionId) {
      var isNew = sessionId !== state.sessionId;
      state.sessionId = sessionId;
      save("sessionStorage", KEY_SESSION, sessionId);
      state.ready = true;
      if (isNew && !state.transcript.length && !state.queue.length && config.initPayload) {
        socket.emit("user_uttered", { message: config.initPayload, session_id: sessionId });
      }
      var queued = state.queue;
      state.queue = [];
      queued.forEach(emitMessage);
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("connect_error", function () {
      state.ready = false;
      showTyping(false);
      setStatus(unreachableText());
    });
    socket.on("disconnect", function () {
      state.ready = false;
      setStatus("Connection lost. Reconnecting\u2026");
    });
  }

  // ---- opening, closing, starting over ----
  function setOpen(open, focusTarget) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.textContent = open ? "Close chat" : "Chat with us";
    root.classList.toggle("mend-chat--open", open);
    save("sessionStorage", KEY_OPEN, open);
    if (open) {
      connect();
      log.scrollTop = log.scrollHeight;
    }
    if (focusTarget) focusTarget.focus();
  }

  function startOver() {
    state.transcript.forEach(function (entry) {
      if (entry.node && entry.node.parentNode) entry.node.parentNode.removeChild(entry.node);
    });
    state.transcript = [];
    state.queue = [];
    state.sourcesTextEntries = [];
    state.sourcesRendered = false;
    state.sessionId = null;
    save("sessionStorage", KEY_TRANSCRIPT, null);
    save("sessionStorage", KEY_SESSION, null);
    if (state.socket) {
      state.socket.disconnect();
      state.socket = null;
    }
    state.ready = false;
    connect();
    input.focus();
  }

  toggle.addEventListener("click", function () {
    var open = panel.hidden;
    setOpen(open, open ? input : null);
  });
  close.addEventListener("click", function () { setOpen(false, toggle); });
  restart.addEventListener("click", startOver);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") setOpen(false, toggle);
  });
  human.addEventListener("click", function () { sendUser(HUMAN_PAYLOAD, HUMAN_TITLE); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendUser(text, text);
    input.focus();
  });

  function mount() {
    document.body.appendChild(root);
    state.transcript.forEach(renderEntry);
    retireOldButtons();
    if (load("sessionStorage", KEY_OPEN, false)) setOpen(true);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
