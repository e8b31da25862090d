/*
 * Mend Assistant chat widget: plain JavaScript on socket.io-client (load socket.io.min.js first).
 *
 * Talks to Rasa's socket.io channel (bot/channels/socketio.py): "session_request" with the signed
 * token the server issued (none at first) and "session_confirm" back with the conversation id and
 * its token, so only this tab can rejoin its conversation; "user_uttered" out and "bot_uttered"
 * in. Rasa does not replay history to a reconnecting page, so the widget keeps its own transcript
 * in sessionStorage: it survives a reload but not closing the tab, so a shared computer does not
 * keep a patient's health conversation ("New chat" clears it too).
 *
 * Every piece of user or bot text goes into the page with textContent, never innerHTML; only
 * http(s) links and phone numbers (as tel: links) from the bot become anchors. Urgent advice from
 * the safety net arrives as text and then as a structured {"type": "urgent", "tier": ...} payload;
 * the widget shows it once, as an alert with call links.
 *
 * Options, as data- attributes on this script tag:
 *   data-rasa-url      the Rasa server, e.g. https://chat.example-clinic.com (required)
 *   data-socket-path   socket.io path on that server (default /socket.io)
 *   data-clinic-phone  shown when the assistant cannot be reached
 *   data-init-payload  sent (not shown) when a new conversation opens (default /greet; "" = none)
 *   data-title         heading of the chat panel (default "Mend Assistant")
 *   data-clinic-timezone  IANA time zone of the clinic for message times (default America/Denver)
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
    title: data.title || "Mend Assistant",
    clinicTimezone: data.clinicTimezone || "America/Denver"
  };
  var HUMAN_PAYLOAD = "/talk_to_human";
  var HUMAN_TITLE = "Talk to a person";
  var MAX_TRANSCRIPT = 200;
  var KEY_SESSION = "mendChat.sessionId";
  var KEY_TOKEN = "mendChat.token";
  var KEY_TRANSCRIPT = "mendChat.transcript";
  var KEY_OPEN = "mendChat.open";
  var SOURCES_TEXT = /^\s*sources?\s*:/i;
  var URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;
  // North American numbers as the bot writes them ("(303) 555-0100", "303-555-0100") and 911.
  var PHONE_IN_TEXT = /(?:\+?1[\s.-]?)?(?:\(\d{3}\)[\s.-]?|\d{3}[\s.-])\d{3}[\s.-]\d{4}|911/g;
  var GROUP_GAP_MS = 5 * 60 * 1000; // a new time label after this long, or a change of speaker
  var BURST_GAP_MS = 3000; // bot messages further apart than this are a new burst
  var URGENT_HEADINGS = { emergency: "Urgent: emergency", doctor_today: "Urgent: see a doctor today" };

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
    token: load("sessionStorage", KEY_TOKEN, null),
    transcript: load("sessionStorage", KEY_TRANSCRIPT, []),
    socket: null,
    ready: false,
    queue: [],
    // Per turn: the "Sources:" text shown in case no structured sources follow, and whether
    // structured sources (rendered as links) already arrived.
    sourcesTextEntries: [],
    sourcesRendered: false,
    // Bot entries since the user's last message (the urgent alert replaces its plain-text copy).
    turnEntries: [],
    typingTimer: null,
    // Scrolling: follow the conversation unless the user scrolled away; keep the first bubble of
    // the newest burst of bot messages in view; remember the first one the user has not seen.
    follow: true,
    burstFirst: null,
    lastBotAt: 0,
    autoScrollTop: null,
    unseen: null
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
  function telHref(number) {
    var digits = String(number).replace(/\D/g, "");
    if (digits.length === 10) return "tel:+1" + digits;
    if (digits.length === 11 && digits.charAt(0) === "1") return "tel:+" + digits;
    return digits.length >= 3 ? "tel:" + digits : null;
  }
  function telLink(number, text, className) {
    return el("a", { href: telHref(number), className: className || "mend-chat__tel" }, text || number);
  }
  // Phone numbers in text become tel: links, unless they are part of a longer number or word.
  function appendPhones(parent, text) {
    var last = 0;
    var match;
    PHONE_IN_TEXT.lastIndex = 0;
    while ((match = PHONE_IN_TEXT.exec(text)) !== null) {
      var start = match.index;
      var end = start + match[0].length;
      var before = start > 0 ? text.charAt(start - 1) : "";
      var after = text.charAt(end);
      if (/[0-9A-Za-z]/.test(before) || /[0-9]/.test(after)) continue;
      parent.appendChild(document.createTextNode(text.slice(last, start)));
      parent.appendChild(telLink(match[0]));
      last = end;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }
  // Text with any http(s) URLs and phone numbers in it turned into links; the rest stays text.
  function appendText(parent, text) {
    var last = 0;
    text = String(text);
    text.replace(URL_IN_TEXT, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]]+$/, "");
      appendPhones(parent, text.slice(last, offset));
      var href = safeUrl(url);
      parent.appendChild(href ? link(href, url) : document.createTextNode(url));
      last = offset + url.length;
      return match;
    });
    appendPhones(parent, text.slice(last));
  }
  var timeFormat = (function () {
    var options = { hour: "numeric", minute: "2-digit" };
    try {
      return new Intl.DateTimeFormat("en-US", Object.assign({ timeZone: config.clinicTimezone }, options));
    } catch (e) {
      return new Intl.DateTimeFormat("en-US", options); // unknown zone: the browser's own
    }
  })();
  function clockTime(ms) {
    return timeFormat.format(new Date(ms)).replace(/\s+/g, " ");
  }

  // ---- the widget's markup ----
  var root = el("div", { className: "mend-chat" });
  var toggle = el("button", {
    type: "button", className: "mend-chat__toggle",
    "aria-expanded": "false", "aria-controls": "mend-chat-panel"
  }, "Chat with us");
  // tabindex -1: a click anywhere in the panel keeps focus inside it, so Escape still closes it.
  var panel = el("section", {
    id: "mend-chat-panel", className: "mend-chat__panel", "aria-labelledby": "mend-chat-title",
    tabindex: "-1"
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
  var logWrap = el("div", { className: "mend-chat__logwrap" });
  var newHint = el("button", { type: "button", className: "mend-chat__new" }, "New messages \u2193");
  newHint.hidden = true;
  logWrap.appendChild(log);
  logWrap.appendChild(newHint);
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
  [header, status, logWrap, typing, actions, form].forEach(function (part) { panel.appendChild(part); });
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
        input.focus(); // the answered buttons are disabled: keep focus where the user types
      });
      group.appendChild(node);
    });
    return group;
  }

  function renderUrgent(entry) {
    var urgent = entry.urgent;
    var node = el("div", {
      className: "mend-chat__msg mend-chat__msg--bot mend-chat__msg--urgent", role: "alert"
    });
    var title = el("p", { className: "mend-chat__urgent-title" });
    title.appendChild(el("span", { className: "mend-chat__urgent-icon", "aria-hidden": "true" }, "!"));
    title.appendChild(document.createTextNode(URGENT_HEADINGS[urgent.level] || "Urgent"));
    node.appendChild(title);
    var body = el("p", { className: "mend-chat__text" });
    appendText(body, entry.text);
    node.appendChild(body);
    var calls = el("div", { className: "mend-chat__calls" });
    var emergency = telLink(urgent.emergency, "Call " + urgent.emergency, "mend-chat__call");
    var clinic = null;
    if (urgent.clinicPhone) {
      clinic = telLink(urgent.clinicPhone, "Call the clinic: ", "mend-chat__call");
      clinic.appendChild(el("span", { className: "mend-chat__number" }, urgent.clinicPhone));
    }
    // The tier's own action first: 911 for an emergency, the clinic for "see a doctor today".
    var order = urgent.level === "emergency" ? [emergency, clinic] : [clinic, emergency];
    order.forEach(function (call) { if (call) calls.appendChild(call); });
    node.appendChild(calls);
    if (entry.buttons && entry.buttons.length) node.appendChild(renderButtons(entry.buttons));
    return node;
  }

  function renderEntry(entry) {
    var node = entry.urgent ? renderUrgent(entry) : renderMessage(entry);
    entry.node = node;
    log.appendChild(node);
    return node;
  }

  function renderMessage(entry) {
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
    return node;
  }

  // A small clinic-local time ("2:14 PM") above the first message of each group: a group is a run
  // of messages from one side with no long pause.
  function startsGroup(entry, previous) {
    if (!entry.at) return false;
    return !previous || previous.who !== entry.who || !previous.at || entry.at - previous.at > GROUP_GAP_MS;
  }
  function refreshTimes() {
    state.transcript.forEach(function (entry, index) {
      var show = startsGroup(entry, state.transcript[index - 1]);
      if (show && !entry.timeNode && entry.node) {
        var label = el("p", { className: "mend-chat__time mend-chat__time--" + entry.who });
        label.appendChild(el("time", { datetime: new Date(entry.at).toISOString() }, clockTime(entry.at)));
        log.insertBefore(label, entry.node);
        entry.timeNode = label;
      } else if (!show && entry.timeNode) {
        detach(entry.timeNode);
        entry.timeNode = null;
      }
    });
  }
  function detach(node) {
    if (node && node.parentNode) node.parentNode.removeChild(node);
  }

  // Only the newest message's buttons answer the current question; older ones are disabled.
  function retireOldButtons() {
    var groups = log.querySelectorAll(".mend-chat__buttons");
    var messages = log.querySelectorAll(".mend-chat__msg");
    var lastMessage = messages[messages.length - 1];
    Array.prototype.forEach.call(groups, function (group) {
      var current = group.parentNode === lastMessage;
      Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
        b.disabled = !current;
      });
    });
  }

  function persist() {
    var plain = state.transcript.slice(-MAX_TRANSCRIPT).map(function (entry) {
      return {
        who: entry.who, text: entry.text, buttons: entry.buttons, sources: entry.sources,
        urgent: entry.urgent, at: entry.at
      };
    });
    save("sessionStorage", KEY_TRANSCRIPT, plain);
  }

  function add(entry) {
    var wasNearBottom = nearBottom();
    entry.at = entry.at || Date.now();
    state.transcript.push(entry);
    if (state.transcript.length > MAX_TRANSCRIPT) removeNodes(state.transcript.shift());
    renderEntry(entry);
    refreshTimes();
    retireOldButtons();
    persist();
    if (entry.who === "user") {
      state.follow = true;
      state.burstFirst = null;
      hideHint();
      scrollLogTo(log.scrollHeight);
    } else {
      onNewBotNode(entry, wasNearBottom);
    }
    return entry;
  }

  function removeNodes(entry) {
    detach(entry.node);
    detach(entry.timeNode);
    entry.node = entry.timeNode = null;
  }

  function remove(entry) {
    var index = state.transcript.indexOf(entry);
    if (index >= 0) state.transcript.splice(index, 1);
    var turnIndex = state.turnEntries.indexOf(entry);
    if (turnIndex >= 0) state.turnEntries.splice(turnIndex, 1);
    if (state.burstFirst === entry.node) state.burstFirst = null;
    if (state.unseen === entry.node) state.unseen = null;
    removeNodes(entry);
    refreshTimes();
    retireOldButtons();
    persist();
  }

  // ---- scrolling: the start of a new answer stays in view ----
  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  }
  function scrollLogTo(top) {
    state.autoScrollTop = Math.max(0, Math.min(top, log.scrollHeight - log.clientHeight));
    log.scrollTop = state.autoScrollTop;
  }
  // As far down as possible while the first bubble of the burst keeps its top in view.
  function showBurst() {
    var first = state.burstFirst;
    var limit = first && first.parentNode ? first.offsetTop - 8 : log.scrollHeight;
    scrollLogTo(Math.min(limit, log.scrollHeight));
  }
  function onNewBotNode(entry, wasNearBottom) {
    var newBurst = !state.burstFirst || !state.burstFirst.parentNode ||
      entry.at - state.lastBotAt > BURST_GAP_MS;
    state.lastBotAt = entry.at;
    if (newBurst) {
      state.burstFirst = null;
      if (state.follow || wasNearBottom) {
        state.follow = true;
        state.burstFirst = entry.node;
      }
    }
    if (state.follow && state.burstFirst) showBurst();
    else showHint(entry.node);
  }
  function showHint(node) {
    if (panel.hidden) return;
    if (!state.unseen || !state.unseen.parentNode) state.unseen = node;
    newHint.hidden = false;
  }
  function hideHint() {
    newHint.hidden = true;
    state.unseen = null;
  }
  function unseenIsVisible() {
    var node = state.unseen;
    return !node || !node.parentNode ||
      node.offsetTop < log.scrollTop + log.clientHeight - 16;
  }
  log.addEventListener("scroll", function () {
    if (state.autoScrollTop !== null && Math.abs(log.scrollTop - state.autoScrollTop) <= 2) return;
    state.autoScrollTop = null;
    state.follow = nearBottom(); // the user scrolled: follow again only from the bottom
    if (state.follow || unseenIsVisible()) hideHint();
  });
  newHint.addEventListener("click", function () {
    var target = state.unseen;
    hideHint();
    state.follow = true;
    state.burstFirst = target && target.parentNode ? target : null;
    showBurst();
    input.focus();
  });

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
    if (custom && custom.type === "urgent") {
      onUrgent(custom);
      return;
    }
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
    state.turnEntries.push(entry);
    if (isSourcesText) state.sourcesTextEntries.push(entry);
  }

  function cleanPhone(value) {
    if (typeof value !== "string") return "";
    var digits = value.replace(/\D/g, "");
    return /^[0-9()+.\s-]+$/.test(value) && digits.length >= 3 && digits.length <= 15 ? value.trim() : "";
  }

  // The bot entries of this turn that carry the plain-text copy of ``text``: the socket.io channel
  // sends each paragraph as its own message, so the copy may be several entries in a row.
  // Without ``text`` (a payload that does not repeat it), the turn's last plain message.
  function plainCopyOf(text) {
    var plain = state.turnEntries.filter(function (entry) {
      return !entry.urgent && !entry.sources && entry.text;
    });
    if (!text) return plain.slice(-1);
    var wanted = squash(text);
    for (var last = plain.length - 1; last >= 0; last--) {
      var joined = "";
      for (var first = last; first >= 0; first--) {
        joined = squash(plain[first].text + " " + joined);
        if (joined === wanted) return plain.slice(first, last + 1);
        if (joined.length > wanted.length) break;
      }
    }
    return [];
  }
  function squash(text) {
    return String(text).replace(/\s+/g, " ").trim();
  }

  // The safety net's structured urgent payload: shown once, as an alert, in place of the plain
  // text copy of the same advice sent just before it (for channels without payloads). Without a
  // known tier (older servers) the plain text stays as it is.
  function onUrgent(custom) {
    var tier = String(custom.tier || "");
    if (tier !== "1" && tier !== "2") return;
    var level = Object.prototype.hasOwnProperty.call(URGENT_HEADINGS, custom.level) ? custom.level : (tier === "1" ? "emergency" : "doctor_today");
    var text = typeof custom.text === "string" ? custom.text.trim() : "";
    var copies = plainCopyOf(text);
    if (!text) text = copies.map(function (entry) { return entry.text; }).join("\n\n");
    if (!text) return;
    var buttons = [];
    copies.forEach(function (entry) {
      if (entry.buttons && entry.buttons.length) buttons = entry.buttons;
      remove(entry);
    });
    var entry = add({
      who: "bot",
      text: text,
      buttons: buttons,
      urgent: {
        tier: tier,
        level: level,
        emergency: cleanPhone(custom.emergency_number) || "911",
        clinicPhone: cleanPhone(custom.clinic_phone) || cleanPhone(config.clinicPhone)
      }
    });
    state.turnEntries.push(entry);
  }

  // ---- messages to the bot ----
  function emitMessage(payload) {
    if (!state.ready) {
      state.queue.push(payload);
      connect();
      return;
    }
    state.socket.emit("user_uttered", { message: payload });
  }

  function sendUser(payload, shownText) {
    state.sourcesTextEntries = [];
    state.sourcesRendered = false;
    state.turnEntries = [];
    add({ who: "user", text: shownText, queued: !state.ready });
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
      socket.emit("session_request", { token: state.token });
    });
    socket.on("session_confirm", function (confirm) {
      // The server issues the conversation id and its signed token; an older server sends the id.
      var sessionId = confirm && typeof confirm === "object" ? confirm.session_id : confirm;
      var isNew = confirm && typeof confirm === "object" ? confirm["new"] === true : sessionId !== state.sessionId;
      if (isNew) forgetOldConversation();
      state.sessionId = sessionId;
      state.token = confirm && typeof confirm.token === "string" ? confirm.token : null;
      save("sessionStorage", KEY_SESSION, sessionId);
      save("sessionStorage", KEY_TOKEN, state.token);
      state.ready = true;
      state.transcript.forEach(function (entry) { entry.queued = false; });
      if (isNew && !state.transcript.length && !state.queue.length && config.initPayload) {
        socket.emit("user_uttered", { message: config.initPayload });
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

  // The server started a new conversation (first visit, or the old one could not be rejoined):
  // the old transcript no longer belongs to it. Messages typed while connecting stay.
  function forgetOldConversation() {
    state.transcript.filter(function (entry) { return !entry.queued; }).forEach(remove);
    state.turnEntries = [];
    state.sourcesTextEntries = [];
  }

  // ---- opening, closing, starting over ----
  function setOpen(open, focusTarget) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.textContent = open ? "Close chat" : "Chat with us";
    root.classList.toggle("mend-chat--open", open);
    save("sessionStorage", KEY_OPEN, open);
    fitToScreen();
    if (open) {
      connect();
      state.follow = true;
      showBurst();
    } else {
      hideHint();
    }
    if (focusTarget) focusTarget.focus();
  }

  // Below 600 px the open panel is the whole screen: sized to the visual viewport, so the input
  // stays above the on-screen keyboard, and the page behind it does not scroll.
  var small = window.matchMedia ? window.matchMedia("(max-width: 599.98px)") : { matches: false };
  function fitToScreen() {
    var full = !panel.hidden && small.matches;
    var viewport = window.visualViewport;
    root.classList.toggle("mend-chat--full", full);
    document.documentElement.classList.toggle("mend-chat-locked", full);
    if (full && viewport) {
      root.style.height = viewport.height + "px";
      root.style.top = viewport.offsetTop + "px";
    } else {
      root.style.height = "";
      root.style.top = "";
    }
    if (full && state.follow) showBurst();
  }
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fitToScreen);
    window.visualViewport.addEventListener("scroll", fitToScreen);
  }
  window.addEventListener("resize", fitToScreen);
  if (small.addEventListener) small.addEventListener("change", fitToScreen);

  function startOver() {
    state.transcript.forEach(removeNodes);
    state.transcript = [];
    state.queue = [];
    state.sourcesTextEntries = [];
    state.sourcesRendered = false;
    state.turnEntries = [];
    state.burstFirst = null;
    hideHint();
    state.sessionId = null;
    state.token = null;
    save("sessionStorage", KEY_TRANSCRIPT, null);
    save("sessionStorage", KEY_SESSION, null);
    save("sessionStorage", KEY_TOKEN, null);
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
  // Escape closes the chat from anywhere in it (the panel and the launcher).
  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      setOpen(false, toggle);
    }
  });
  human.addEventListener("click", function () {
    sendUser(HUMAN_PAYLOAD, HUMAN_TITLE);
    input.focus();
  });
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
    refreshTimes();
    retireOldButtons();
    if (load("sessionStorage", KEY_OPEN, false)) setOpen(true);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
