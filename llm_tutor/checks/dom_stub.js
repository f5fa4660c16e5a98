// A small DOM for student scripts: built from the step's page, no network, no timers that wait.
(function () {
  "use strict";
  const logs = [], alerts = [], errors = [], timers = [];
  function Node() {}
  function Element(tag, attrs) {
    this.tagName = tag.toUpperCase();
    this.nodeName = this.tagName;
    this.localName = tag;
    this.attributes = Object.assign({}, attrs || {});
    this.children = [];
    this.childNodes = [];
    this.parentNode = null;
    this.listeners = {};
    this.style = {};
    this.value = this.attributes.value || "";
    const self = this;
    this.classList = {
      _list() { return (self.attributes["class"] || "").split(/\s+/).filter(Boolean); },
      contains(c) { return this._list().includes(c); },
      add(...cs) { const l = this._list(); cs.forEach(c => { if (!l.includes(c)) l.push(c); }); self.attributes["class"] = l.join(" "); },
      remove(...cs) { self.attributes["class"] = this._list().filter(c => !cs.includes(c)).join(" "); },
      toggle(c) { if (this.contains(c)) { this.remove(c); return false; } this.add(c); return true; },
    };
  }
  Element.prototype = Object.create(Node.prototype);
  Object.defineProperty(Element.prototype, "id", {
    get() { return this.attributes.id || ""; }, set(v) { this.attributes.id = String(v); } });
  Object.defineProperty(Element.prototype, "className", {
    get() { return this.attributes["class"] || ""; }, set(v) { this.attributes["class"] = String(v); } });
  Object.defineProperty(Element.prototype, "textContent", {
    get() { return this.childNodes.map(n => typeof n === "string" ? n : n.textContent).join(""); },
    set(v) { this.childNodes.forEach(n => { if (typeof n !== "string") n.parentNode = null; });
      this.childNodes = [String(v)]; this.children = []; } });
  Object.defineProperty(Element.prototype, "innerText", {
    get() { return this.textContent; }, set(v) { this.textContent = v; } });
  Object.defineProperty(Element.prototype, "innerHTML", {
    get() { return this._html !== undefined ? this._html : this.textContent; },
    set(v) { this.textContent = String(v).replace(/<[^>]*>/g, ""); this._html = String(v); } });
  Element.prototype.getAttribute = function (n) { return n in this.attributes ? this.attributes[n] : null; };
  Element.prototype.setAttribute = function (n, v) { this.attributes[n] = String(v); };
  Element.prototype.hasAttribute = function (n) { return n in this.attributes; };
  Element.prototype.removeAttribute = function (n) { delete this.attributes[n]; };
  Element.prototype.addEventListener = function (type, fn) {
    if (typeof fn !== "function") return;
    (this.listeners[type] = this.listeners[type] || []).push(fn); };
  Element.prototype.removeEventListener = function (type, fn) {
    this.listeners[type] = (this.listeners[type] || []).filter(f => f !== fn); };
  Element.prototype.appendChild = function (child) {
    if (typeof child === "string") { this.childNodes.push(child); return child; }
    child.parentNode = this; this.children.push(child); this.childNodes.push(child); return child; };
  Element.prototype.append = function (...nodes) { nodes.forEach(n => this.appendChild(typeof n === "string" ? n : n)); };
  Element.prototype.remove = function () {
    const p = this.parentNode; if (!p) return;
    p.children = p.children.filter(c => c !== this); p.childNodes = p.childNodes.filter(c => c !== this); this.parentNode = null; };
  Element.prototype.focus = function () {};
  Element.prototype.dispatchEvent = function (event) {
    const type = event.type; const fns = (this.listeners[type] || []).slice();
    const prop = this["on" + type];
    if (typeof prop === "function") fns.push(prop);
    const ev = Object.assign({ target: this, currentTarget: this, preventDefault() {}, stopPropagation() {} }, event);
    fns.forEach(fn => fn.call(this, ev));
    return true; };
  Element.prototype.click = function () { this.dispatchEvent({ type: "click" }); };
  Element.prototype.hasListener = function (type) {
    return (this.listeners[type] || []).length > 0 || typeof this["on" + type] === "function"; };

  // Selectors: compound parts (tag, #id, .class, [attr], [attr=value]) with descendant and child combinators.
  function parseCompound(text) {
    const part = { tag: null, id: null, classes: [], attrs: [] };
    const re = /([a-zA-Z][\w-]*)|#([\w-]+)|\.([\w-]+)|\[([\w-]+)(?:=["']?([^"'\]]*)["']?)?\]|(\*)/g;
    let m, consumed = 0;
    while ((m = re.exec(text))) {
      if (m.index !== consumed) return null;
      consumed = re.lastIndex;
      if (m[1]) part.tag = m[1].toLowerCase();
      else if (m[2]) part.id = m[2];
      else if (m[3]) part.classes.push(m[3]);
      else if (m[4]) part.attrs.push([m[4], m[5]]);
    }
    return consumed === text.length ? part : null;
  }
  function parseSelector(text) {
    const tokens = String(text).trim().replace(/\s*>\s*/g, " > ").split(/\s+/);
    const steps = []; let combinator = " ";
    for (const t of tokens) {
      if (t === ">") { combinator = ">"; continue; }
      const part = parseCompound(t);
      if (!part) throw new SyntaxError("'" + text + "' is not a valid selector");
      steps.push({ part, combinator }); combinator = " ";
    }
    if (!steps.length) throw new SyntaxError("'" + text + "' is not a valid selector");
    return steps;
  }
  function matchesPart(el, p) {
    if (p.tag && el.localName !== p.tag) return false;
    if (p.id && el.attributes.id !== p.id) return false;
    for (const c of p.classes) if (!el.classList.contains(c)) return false;
    for (const [n, v] of p.attrs) { if (!(n in el.attributes)) return false; if (v !== undefined && el.attributes[n] !== v) return false; }
    return true;
  }
  function matches(el, steps, i) {
    if (!matchesPart(el, steps[i].part)) return false;
    if (i === 0) return true;
    if (steps[i].combinator === ">") return !!el.parentNode && el.parentNode !== documentNode && matches(el.parentNode, steps, i - 1);
    for (let p = el.parentNode; p && p !== documentNode; p = p.parentNode) if (matches(p, steps, i - 1)) return true;
    return false;
  }
  function all(root) { const out = []; (function walk(n) { n.children.forEach(c => { out.push(c); walk(c); }); })(root); return out; }
  function select(root, text) {
    return String(text).split(",").map(s => parseSelector(s)).reduce((acc, steps) =>
      acc.concat(all(root).filter(el => matches(el, steps, steps.length - 1) && !acc.includes(el))), []);
  }
  Element.prototype.querySelector = function (s) { return select(this, s)[0] || null; };
  Element.prototype.querySelectorAll = function (s) { return select(this, s); };
  Element.prototype.getElementsByTagName = function (t) { return all(this).filter(e => e.localName === String(t).toLowerCase()); };
  Element.prototype.getElementsByClassName = function (c) { return all(this).filter(e => e.classList.contains(c)); };

  function build(node) {
    const el = new Element(node.tag, node.attrs);
    node.children.forEach(c => el.appendChild(typeof c === "string" ? c : build(c)));
    return el;
  }
  const documentNode = new Element("#document", {});
  const page = build(globalThis.__PAGE__);
  documentNode.appendChild(page);
  const byTag = t => all(documentNode).find(e => e.localName === t) || null;
  const document = {
    documentElement: page,
    get body() { return byTag("body"); },
    get head() { return byTag("head"); },
    get title() { const t = byTag("title"); return t ? t.textContent : ""; },
    querySelector: s => documentNode.querySelector(s),
    querySelectorAll: s => documentNode.querySelectorAll(s),
    getElementById: id => all(documentNode).find(e => e.attributes.id === String(id)) || null,
    getElementsByTagName: t => documentNode.getElementsByTagName(t),
    getElementsByClassName: c => documentNode.getElementsByClassName(c),
    createElement: t => new Element(String(t).toLowerCase(), {}),
    createTextNode: t => String(t),
    addEventListener: (type, fn) => { if (type === "DOMContentLoaded" && typeof fn === "function") timers.push(fn); },
    write: t => { const b = byTag("body"); if (b) b.appendChild(String(t)); },
  };
  function show(v) {
    if (typeof v === "string") return v;
    if (v instanceof Element) return "<" + v.localName + ">";
    try { const s = JSON.stringify(v); return s === undefined ? String(v) : s; } catch (e) { return String(v); }
  }
  const say = (...args) => logs.push(args.map(show).join(" "));
  const blocked = name => function () { throw new Error(name + " is not available in the lesson's page"); };
  const g = globalThis;
  g.document = document;
  g.window = g;
  g.console = { log: say, info: say, warn: say, error: say, debug: say };
  g.alert = m => { alerts.push(m === undefined ? "" : show(m)); };
  g.prompt = () => "";
  g.confirm = () => true;
  g.setTimeout = (fn) => { if (typeof fn === "function") timers.push(fn); return timers.length; };
  g.setInterval = g.setTimeout;
  g.clearTimeout = g.clearInterval = () => {};
  g.addEventListener = document.addEventListener;
  ["fetch", "XMLHttpRequest", "WebSocket", "require", "importScripts", "EventSource"].forEach(n => { g[n] = blocked(n); });
  g.process = undefined;
  function record(e) {
    const text = e && e.stack ? String(e.stack) : String(e);
    const m = /<anonymous>:(\d+)/.exec(text);
    errors.push({ name: e && e.name || "Error", message: e && e.message || String(e), line: m ? Number(m[1]) : null });
  }
  g.__mrict = {
    record,
    drain() { for (let i = 0; i < timers.length && i < 50; i++) { try { timers[i](); } catch (e) { record(e); } } timers.length = 0; },
    fire(selector, type) {
      let targets;
      try { targets = document.querySelectorAll(selector); } catch (e) { return; }
      targets.slice(0, 1).forEach(el => { try { el.dispatchEvent({ type }); } catch (e) { record(e); } });
      this.drain();
    },
    collect(queries) {
      const texts = {}, listeners = {};
      queries.text.forEach(s => { try { texts[s] = document.querySelectorAll(s).map(e => e.textContent); } catch (e) { texts[s] = []; } });
      queries.listener.forEach(([s, type]) => { try { listeners[s + "|" + type] = document.querySelectorAll(s).some(e => e.hasListener(type)); } catch (e) { listeners[s + "|" + type] = false; } });
      return JSON.stringify({ logs, alerts, errors, texts, listeners });
    },
  };
})();
