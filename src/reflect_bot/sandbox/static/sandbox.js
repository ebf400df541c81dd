// The sandbox chat page: plays the clinician's side of a Telegram chat against the local
// Bot API emulator. Plain JavaScript, no build step, no network beyond this page's origin.
//
// Safety: the bot's messages arrive as Telegram HTML; they are parsed into an inert document
// and rebuilt from an allowlist of Telegram's tags (never assigned to innerHTML), and
// everything a person typed is only ever inserted as text.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const POLL_SECONDS = 25;

  const state = {
    chatId: null,
    botUsername: "",
    seq: 0,
    messages: new Map(), // message_id -> message JSON, in arrival order
    commands: [],
    clock: null,
    timeTravel: false,
    pendingQueries: new Map(), // callback_query_id -> button element
    answeredQueries: new Set(),
    generation: 0, // bumped when the page reloads its state, to retire an older poll loop
  };

  // -- talking to the sandbox -----------------------------------------------------------------
  async function api(path, body) {
    const init = body === undefined
      ? {}
      : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    const response = await fetch(path, init);
    let data;
    try {
      data = await response.json();
    } catch {
      data = { ok: false, error: `${response.status} ${response.statusText}` };
    }
    if (!response.ok || !data.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function boot() {
    const generation = ++state.generation;
    const info = await api("/_sandbox/info");
    applyInfo(info);
    const listing = await api(`/_emulator/chats/${state.chatId}/messages`);
    // Events after info.seq may repeat what the listing shows; applying them is idempotent.
    state.seq = info.seq;
    state.messages.clear();
    for (const message of listing.messages) state.messages.set(message.message_id, message);
    renderAll();
    scrollToBottom();
    poll(generation);
  }

  async function poll(generation) {
    let failing = false;
    while (generation === state.generation) {
      const started = Date.now();
      try {
        const data = await api(`/_emulator/changes?since=${state.seq}&timeout=${POLL_SECONDS}`);
        if (generation !== state.generation) return;
        if (failing || data.seq < state.seq) {
          // The sandbox was restarted: its chat starts afresh, so load everything again.
          hideBanner();
          boot().catch(() => {});
          return;
        }
        state.seq = data.seq;
        for (const event of data.events) handleEvent(event);
        if (data.events.length === 0 && Date.now() - started < 250) await sleep(500);
      } catch {
        failing = true;
        showBanner("The sandbox isn't answering. Is it still running? Retrying…");
        await sleep(2000);
      }
    }
  }

  function applyInfo(info) {
    const before = JSON.stringify(state.clock && [state.clock.travels, state.clock.utc_offset_minutes]);
    state.chatId = info.chat_id;
    state.botUsername = (info.bot.username || "").toLowerCase();
    state.commands = info.commands || [];
    state.timeTravel = Boolean(info.time_travel);
    state.clock = info.clock;
    $("bot-name").textContent = info.bot.first_name || "reflect-bot";
    $("clock-button").hidden = !state.timeTravel;
    showClock();
    const after = JSON.stringify(state.clock && [state.clock.travels, state.clock.utc_offset_minutes]);
    if (state.messages.size > 0 && before !== after) rerender(); // times shown have moved
  }

  function rerender() {
    const follow = stickToBottom;
    renderAll();
    if (follow) scrollToBottom();
  }

  let infoTimer = null;
  function refreshInfoSoon() {
    // The clinician's zone and the command menu can change as they talk to the bot.
    clearTimeout(infoTimer);
    infoTimer = setTimeout(() => {
      api("/_sandbox/info").then(applyInfo).catch(() => {});
    }, 400);
  }

  // -- events -----------------------------------------------------------------------------
  function handleEvent(event) {
    if (event.chat_id !== state.chatId) return;
    switch (event.kind) {
      case "message":
      case "user_message":
      case "edit":
      case "user_edit":
        if (event.message) upsert(event.message);
        if (event.kind === "message") {
          setStatus("bot");
          refreshInfoSoon();
        }
        break;
      case "delete":
        remove(event.message_id);
        break;
      case "callback_answer":
        callbackAnswered(event.data);
        break;
      case "chat_action":
        showAction(event.data.action);
        break;
      default:
        break;
    }
  }

  function upsert(message) {
    const known = state.messages.has(message.message_id);
    state.messages.set(message.message_id, message);
    if (message.deleted) {
      remove(message.message_id);
      return;
    }
    const existing = document.querySelector(`[data-message-id="${message.message_id}"]`);
    if (known && existing) {
      existing.replaceWith(messageElement(message)); // an edit: in place, like Telegram
      updateReplyKeyboard();
      return;
    }
    const follow = stickToBottom || !message.from_bot;
    appendMessage(message);
    updateReplyKeyboard();
    if (follow) scrollToBottom();
  }

  function remove(messageId) {
    state.messages.delete(messageId);
    const element = document.querySelector(`[data-message-id="${messageId}"]`);
    if (element) element.remove();
    updateEmpty();
  }

  // -- rendering the chat --------------------------------------------------------------------
  const list = $("messages");
  let lastDayKey = null;

  // Whether the view follows new messages: yes while the person is at the bottom, also when
  // the list changes height (the time travel panel opening, the window resizing).
  let stickToBottom = true;
  list.addEventListener("scroll", () => { stickToBottom = nearBottom(); }, { passive: true });
  new ResizeObserver(() => { if (stickToBottom) scrollToBottom(); }).observe(list);

  function renderAll() {
    for (const element of list.querySelectorAll(".row, .day")) element.remove();
    lastDayKey = null;
    for (const message of state.messages.values()) {
      if (!message.deleted) appendMessage(message);
    }
    updateReplyKeyboard();
    updateEmpty();
  }

  function appendMessage(message) {
    const shown = shownTime(message.date, message.message_id);
    const dayKey = shown.toISOString().slice(0, 10);
    if (dayKey !== lastDayKey) {
      lastDayKey = dayKey;
      list.append(element("div", "day", dayLabel(shown)));
    }
    list.append(messageElement(message));
    updateEmpty();
  }

  function updateEmpty() {
    $("empty").hidden = list.querySelector(".row") !== null;
  }

  function messageElement(message) {
    const row = element("div", `row ${message.from_bot ? "bot" : "me"}`);
    row.dataset.messageId = String(message.message_id);
    const bubble = element("div", "bubble");
    if (message.photo) bubble.append(photoElement(message.photo));
    if (message.document) bubble.append(documentElement(message.document, message.protect_content));
    const body = element("div", "text");
    if (message.from_bot) {
      body.append(renderTelegramHtml(message.html || ""));
    } else {
      body.textContent = message.text ?? message.caption ?? "";
    }
    if (!message.text && !message.caption && !message.document && !message.photo) {
      body.textContent = `[${message.kind}]`;
    }
    if (body.childNodes.length > 0) bubble.append(body);
    const meta = element("span", "meta");
    meta.textContent = `${message.edited ? "edited " : ""}${timeLabel(shownTime(message.date, message.message_id))}`;
    bubble.append(meta);
    row.append(bubble);
    if (message.from_bot && message.buttons && message.buttons.length > 0) {
      row.append(inlineKeyboard(message));
    }
    return row;
  }

  function photoElement(photo) {
    const image = document.createElement("img");
    image.className = "photo";
    image.alt = "Photo";
    image.src = photo.download_url;
    return image;
  }

  function documentElement(file, isProtected) {
    const link = element("a", "document");
    link.href = file.download_url;
    link.setAttribute("download", file.file_name || "document");
    const icon = element("span", "document-icon");
    icon.append(svgIcon("M12 4v11m0 0l-4-4m4 4l4-4M5 19h14"));
    const about = element("span", "document-about");
    about.append(element("span", "document-name", file.file_name || "document"));
    const protectedNote = isProtected ? " · protected" : "";
    about.append(element("span", "document-size", `${sizeLabel(file.size)}${protectedNote} · Download`));
    if (isProtected) {
      link.title = "Sent as protected content: Telegram would not let it be forwarded";
    }
    link.append(icon, about);
    return link;
  }

  function inlineKeyboard(message) {
    const keyboard = element("div", "keyboard");
    for (const buttons of message.buttons) {
      const row = element("div", "keyboard-row");
      for (const spec of buttons) row.append(inlineButton(message, spec));
      keyboard.append(row);
    }
    return keyboard;
  }

  function inlineButton(message, spec) {
    const label = String(spec.text ?? "");
    if (spec.url) {
      const link = safeLink(spec.url);
      if (link) {
        link.className = "key link-key";
        link.textContent = label;
        return link;
      }
    }
    const button = element("button", "key", label);
    button.type = "button";
    if (typeof spec.callback_data === "string") {
      button.addEventListener("click", () => press(message.message_id, spec.callback_data, button));
    } else {
      button.disabled = true;
      button.title = "This kind of button does nothing in the sandbox";
    }
    return button;
  }

  async function press(messageId, data, button) {
    button.classList.add("pending");
    try {
      const result = await api(`/_emulator/chats/${state.chatId}/callback`, {
        message_id: messageId,
        callback_data: data,
      });
      const queryId = result.callback_query_id;
      if (state.answeredQueries.has(queryId)) {
        button.classList.remove("pending");
      } else {
        state.pendingQueries.set(queryId, button);
        // Telegram stops the little spinner after a while even if the bot never answers.
        setTimeout(() => settle(queryId), 8000);
      }
    } catch (error) {
      button.classList.remove("pending");
      toast(error.message);
    }
  }

  function settle(queryId) {
    const button = state.pendingQueries.get(queryId);
    if (button) button.classList.remove("pending");
    state.pendingQueries.delete(queryId);
  }

  function callbackAnswered(data) {
    state.answeredQueries.add(data.callback_query_id);
    settle(data.callback_query_id);
    if (data.text) toast(data.text, data.show_alert ? "alert" : "");
  }

  // The latest bot message with a reply keyboard shows it above the text box, until a later
  // message removes it.
  function updateReplyKeyboard() {
    const box = $("reply-keyboard");
    let markup = null;
    for (const message of state.messages.values()) {
      if (!message.from_bot || message.deleted || !message.reply_markup) continue;
      if (message.reply_markup.keyboard) markup = message.reply_markup;
      if (message.reply_markup.remove_keyboard) markup = null;
    }
    box.replaceChildren();
    box.hidden = markup === null;
    if (markup === null) return;
    for (const buttons of markup.keyboard) {
      const row = element("div", "keyboard-row");
      for (const spec of buttons) {
        const label = typeof spec === "string" ? spec : String(spec.text ?? "");
        const button = element("button", "key", label);
        button.type = "button";
        button.addEventListener("click", () => sendText(label));
        row.append(button);
      }
      box.append(row);
    }
  }

  // -- Telegram HTML, rebuilt from an allowlist ----------------------------------------------
  const TAGS = {
    b: "b", strong: "b", i: "i", em: "i", u: "u", ins: "u", s: "s", strike: "s", del: "s",
    code: "code", pre: "pre", a: "a", blockquote: "blockquote", "tg-spoiler": "spoiler",
    span: "span", "tg-emoji": "emoji",
  };
  const DROP_WITH_CONTENT = new Set(["script", "style", "template", "iframe", "object", "svg", "math"]);

  function renderTelegramHtml(html) {
    const parsed = new DOMParser().parseFromString(html, "text/html"); // inert: nothing runs
    const fragment = document.createDocumentFragment();
    copyChildren(parsed.body, fragment, { plain: false });
    return fragment;
  }

  function copyChildren(source, target, context) {
    for (const node of source.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        appendText(target, node.data, context);
        continue;
      }
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      const name = node.localName;
      const kind = TAGS[name];
      if (kind === undefined) {
        if (!DROP_WITH_CONTENT.has(name)) copyChildren(node, target, context);
        continue;
      }
      let made = null;
      let inner = context;
      if (kind === "a") {
        made = safeLink(node.getAttribute("href") || "");
        inner = { plain: true };
      } else if (kind === "span" || kind === "spoiler") {
        if (kind === "spoiler" || node.classList.contains("tg-spoiler")) made = spoiler();
      } else if (kind === "code" || kind === "pre") {
        made = document.createElement(kind);
        inner = { plain: true };
      } else if (kind === "blockquote") {
        made = document.createElement("blockquote");
        if (node.hasAttribute("expandable")) {
          made.classList.add("expandable");
          made.addEventListener("click", () => made.classList.toggle("open"));
        }
      } else if (kind !== "emoji") {
        made = document.createElement(kind);
      }
      if (made === null) {
        copyChildren(node, target, inner); // keep the words, drop the tag
      } else {
        copyChildren(node, made, inner);
        target.append(made);
      }
    }
  }

  // Telegram makes /commands in the bot's messages tappable; so does the sandbox.
  const COMMAND = /(^|[\s(«“"])(\/[A-Za-z0-9_]{1,32})(?=$|[\s.,!?;:)»”"])/g;

  function appendText(target, text, context) {
    if (context.plain) {
      target.append(document.createTextNode(text));
      return;
    }
    let last = 0;
    for (const match of text.matchAll(COMMAND)) {
      const start = match.index + match[1].length;
      target.append(document.createTextNode(text.slice(last, start)));
      const command = element("a", "command", match[2]);
      command.href = "#";
      command.addEventListener("click", (event) => {
        event.preventDefault();
        sendText(match[2]);
      });
      target.append(command);
      last = start + match[2].length;
    }
    target.append(document.createTextNode(text.slice(last)));
  }

  function safeLink(href) {
    const url = absoluteUrl(href.trim());
    if (url === null) return null;
    const link = document.createElement("a");
    // A t.me link to this bot opens it with /start <payload>, as in Telegram's apps.
    const botPath = url.pathname.replace(/^\/+/, "").toLowerCase();
    if ((url.hostname === "t.me" || url.hostname === "telegram.me") && botPath === state.botUsername) {
      const payload = url.searchParams.get("start");
      link.href = "#";
      link.title = "Opens this bot";
      link.addEventListener("click", (event) => {
        event.preventDefault();
        sendText(payload ? `/start ${payload}` : "/start");
      });
      return link;
    }
    // Web links only: javascript:, data: and the like stay plain words.
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    link.href = url.href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }

  // Like Telegram: "example.org/x" means http://example.org/x, never a path on this page.
  function absoluteUrl(href) {
    try {
      return new URL(href);
    } catch {
      if (href.includes("://") || href.includes(" ") || !href.includes(".")) return null;
      try {
        return new URL(`http://${href}`);
      } catch {
        return null;
      }
    }
  }

  function spoiler() {
    const hidden = element("span", "spoiler");
    hidden.title = "Spoiler: click to reveal";
    hidden.addEventListener("click", () => hidden.classList.add("revealed"), { once: true });
    return hidden;
  }

  // -- sending -----------------------------------------------------------------------------
  const input = $("input");

  async function sendText(text) {
    if (!text.trim()) return;
    hideCommandMenu();
    try {
      await api(`/_emulator/chats/${state.chatId}/messages`, { text });
    } catch (error) {
      toast(`Not sent: ${error.message}`);
      throw error;
    }
  }

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    autosize();
    sendText(text).catch(() => {
      input.value = text; // nothing typed is lost when a send fails
      autosize();
    });
  });

  // -- voice notes: an attached audio file, or a recording where the browser allows ------------
  async function sendVoice(blob, seconds) {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    try {
      await api(`/_emulator/chats/${state.chatId}/voice`, {
        data_base64: btoa(binary),
        duration: Math.max(1, Math.round(seconds)),
        mime_type: blob.type || "audio/ogg",
      });
    } catch (error) {
      toast(`Not sent: ${error.message}`);
    }
  }

  async function audioSeconds(blob) {
    // The length Telegram would report; 1 when the browser cannot decode the file
    // (the transcriber measures it again either way).
    try {
      const context = new AudioContext();
      const decoded = await context.decodeAudioData(await blob.arrayBuffer());
      context.close();
      return decoded.duration;
    } catch {
      return 1;
    }
  }

  $("attach-button").addEventListener("click", () => $("voice-file").click());
  $("voice-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (file) await sendVoice(file, await audioSeconds(file));
  });

  const recording = { recorder: null, chunks: [], started: 0 };
  const recordButton = $("record-button");
  if (navigator.mediaDevices && window.MediaRecorder) recordButton.hidden = false;
  recordButton.addEventListener("click", async () => {
    if (recording.recorder) {
      recording.recorder.stop();
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      toast(`The microphone is not available: ${error.message}`);
      return;
    }
    const recorder = new MediaRecorder(stream);
    recording.recorder = recorder;
    recording.chunks = [];
    recording.started = performance.now();
    recorder.addEventListener("dataavailable", (event) => recording.chunks.push(event.data));
    recorder.addEventListener("stop", async () => {
      stream.getTracks().forEach((track) => track.stop());
      recording.recorder = null;
      recordButton.classList.remove("recording");
      recordButton.setAttribute("aria-pressed", "false");
      const seconds = (performance.now() - recording.started) / 1000;
      await sendVoice(new Blob(recording.chunks, { type: recorder.mimeType }), seconds);
    });
    recorder.start();
    recordButton.classList.add("recording");
    recordButton.setAttribute("aria-pressed", "true");
    toast("Recording… tap the microphone again to send.");
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    } else if (event.key === "Escape") {
      hideCommandMenu();
    }
  });

  input.addEventListener("input", () => {
    autosize();
    const value = input.value;
    if (/^\/[A-Za-z0-9_]*$/.test(value)) showCommandMenu(value.slice(1));
    else hideCommandMenu();
  });

  function autosize() {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  $("start-button").addEventListener("click", () => sendText("/start"));

  // -- the command menu ---------------------------------------------------------------------
  const menu = $("command-menu");

  function showCommandMenu(prefix = "") {
    const matching = state.commands.filter((item) => item.command.startsWith(prefix.toLowerCase()));
    menu.replaceChildren();
    for (const item of matching) {
      const option = element("button", "command-option");
      option.type = "button";
      option.setAttribute("role", "option");
      option.append(element("span", "command-name", `/${item.command}`));
      option.append(element("span", "command-about", item.description));
      option.addEventListener("click", () => {
        input.value = "";
        autosize();
        sendText(`/${item.command}`).catch(() => {});
        input.focus();
      });
      menu.append(option);
    }
    menu.hidden = matching.length === 0;
    $("menu-button").setAttribute("aria-expanded", String(!menu.hidden));
  }

  function hideCommandMenu() {
    menu.hidden = true;
    $("menu-button").setAttribute("aria-expanded", "false");
  }

  $("menu-button").addEventListener("click", () => {
    if (menu.hidden) {
      showCommandMenu();
      api("/_sandbox/info").then((info) => {
        applyInfo(info);
        if (!menu.hidden) showCommandMenu();
      }).catch(() => {});
    } else {
      hideCommandMenu();
    }
  });

  document.addEventListener("click", (event) => {
    if (!menu.hidden && !menu.contains(event.target) && !$("menu-button").contains(event.target)
        && event.target !== input) {
      hideCommandMenu();
    }
  });

  // -- time travel -------------------------------------------------------------------------
  const panel = $("travel-panel");

  $("clock-button").addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    $("clock-button").setAttribute("aria-expanded", String(!panel.hidden));
  });

  for (const button of panel.querySelectorAll("[data-jump]")) {
    button.addEventListener("click", () => travel(button.dataset.jump, button));
  }

  async function travel(jump, button) {
    const buttons = panel.querySelectorAll("[data-jump]");
    for (const each of buttons) each.disabled = true;
    button.classList.add("pending");
    try {
      const result = await api("/_sandbox/travel", { jump });
      state.clock = result.clock;
      showClock();
      rerender(); // messages that arrived on the way now show the time they were sent
      toast(travelSummary(result));
    } catch (error) {
      toast(`Time travel failed: ${error.message}`);
    } finally {
      for (const each of buttons) each.disabled = false;
      button.classList.remove("pending");
    }
  }

  function travelSummary(result) {
    if (result.nothing_scheduled) {
      return "Nothing is scheduled yet. Send /schedule to set up prompts, then try again.";
    }
    const parts = [`Moved ${durationLabel(result.moved_seconds)} ahead.`];
    if (result.sent > 0) parts.push(`${result.sent} ${result.sent === 1 ? "message" : "messages"} arrived on the way.`);
    else parts.push("Nothing was due on the way.");
    if (result.missed > 0) parts.push(`${result.missed} missed (too late to send).`);
    return parts.join(" ");
  }

  function showClock() {
    const clock = state.clock;
    if (!clock) return;
    const now = shownTime(Date.now() / 1000);
    $("clock-label").textContent = `${weekdayLabel(now)} ${timeLabel(now)}`;
    $("travel-now").textContent = `${clock.local} (${clock.zone})`;
    $("travel-ahead").textContent = clock.ahead_seconds > 0
      ? `· ${durationLabel(clock.ahead_seconds)} ahead of real time`
      : "· real time";
  }
  setInterval(showClock, 15000);

  // -- times as the bot sees them ------------------------------------------------------------
  // Messages carry real Unix times; the bot's clock may be ahead. Each message is shown at the
  // time the bot believed it was, in the clinician's time zone. A jump applies from a message
  // id on (ids only grow), and with no id given, to now.
  function aheadFor(messageId) {
    const travels = (state.clock && state.clock.travels) || [];
    let ahead = 0;
    for (const travel of travels) {
      if (messageId === undefined || travel.from_message_id <= messageId) ahead = travel.ahead_seconds;
    }
    return ahead;
  }

  function shownTime(unixSeconds, messageId) {
    const offset = state.clock ? state.clock.utc_offset_minutes * 60 : 0;
    return new Date((unixSeconds + aheadFor(messageId) + offset) * 1000); // read with getUTC*
  }

  const pad = (number) => String(number).padStart(2, "0");
  const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const LONG_WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];

  const timeLabel = (date) => `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
  const weekdayLabel = (date) => WEEKDAYS[date.getUTCDay()];
  const dayLabel = (date) =>
    `${LONG_WEEKDAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}`;

  function durationLabel(seconds) {
    const minutes = Math.round(seconds / 60);
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const rest = minutes % 60;
    const parts = [];
    if (days) parts.push(`${days} ${days === 1 ? "day" : "days"}`);
    if (hours) parts.push(`${hours} h`);
    if (rest && !days) parts.push(`${rest} min`);
    return parts.length ? parts.join(" ") : "a moment";
  }

  function sizeLabel(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  // -- small pieces ----------------------------------------------------------------------------
  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function svgIcon(path) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const line = document.createElementNS(ns, "path");
    line.setAttribute("d", path);
    svg.append(line);
    return svg;
  }

  function nearBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  }

  function scrollToBottom() {
    list.scrollTop = list.scrollHeight;
  }

  let statusTimer = null;
  function setStatus(text) {
    clearTimeout(statusTimer);
    $("status").textContent = text;
    $("status").classList.toggle("active", text !== "bot");
  }

  function showAction(action) {
    const words = { typing: "typing…", upload_document: "sending a file…", upload_photo: "sending a photo…" };
    setStatus(words[action] || "busy…");
    // Telegram shows an action for five seconds or until the next message.
    statusTimer = setTimeout(() => setStatus("bot"), 5000);
  }

  let toastTimer = null;
  function toast(text, kind = "") {
    const box = $("toast");
    box.textContent = text;
    box.className = `toast ${kind}`.trim();
    box.hidden = false;
    // Just below the header (and the time travel panel, when open), above the conversation.
    box.style.top = `${list.getBoundingClientRect().top + 12}px`;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, kind === "alert" ? 7000 : 4000);
  }

  function showBanner(text) {
    $("banner").textContent = text;
    $("banner").hidden = false;
  }

  function hideBanner() {
    $("banner").hidden = true;
  }

  boot().catch((error) => {
    showBanner(`The sandbox could not load: ${error.message}. Reload the page to try again.`);
  });
})();
