(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll("#deck > .slide"));
  var deck = document.getElementById("deck");
  var overlay = document.getElementById("overlay");
  var notesWindow = null;
  var started = Date.now();
  var current = 0;

  function noteHtml(i) {
    var note = document.querySelector('#notes > .note[data-slide="' + (i + 1) + '"]');
    return note ? note.innerHTML : "";
  }
  function fit() {
    var scale = Math.min(window.innerWidth / 1280, window.innerHeight / 720);
    deck.style.transform = "translate(" + (window.innerWidth - 1280 * scale) / 2 + "px," +
      (window.innerHeight - 720 * scale) / 2 + "px) scale(" + scale + ")";
  }
  // Scale down the text, code and diagrams of a slide whose content does not fit, once, so
  // that printing gets the same layout.
  function shrink(slide) {
    var body = slide.querySelector(".body");
    var pres = Array.prototype.slice.call(slide.querySelectorAll(".code pre"));
    var figures = Array.prototype.slice.call(slide.querySelectorAll("figure.diagram svg, figure.diagram img"));
    var sizes = pres.map(function (pre) { return parseFloat(pre.style.fontSize) || 18; });
    function overflows() {
      return body.scrollHeight > body.clientHeight + 1 ||
        pres.some(function (pre) { return pre.scrollWidth > pre.clientWidth + 1; });
    }
    for (var k = 0.97; overflows() && k >= 0.5; k -= 0.03) {
      slide.style.fontSize = (27 * k) + "px";
      pres.forEach(function (pre, i) { pre.style.fontSize = Math.max(10, sizes[i] * k) + "px"; });
      figures.forEach(function (f) { f.style.maxHeight = (400 * k) + "px"; });
    }
  }
  function clock() {
    var s = Math.floor((Date.now() - started) / 1000);
    return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }
  function renderNotes() {
    var header = "Slide " + (current + 1) + " / " + slides.length;
    var next = current + 1 < slides.length ? "Next: " + slides[current + 1].getAttribute("data-title") : "Last slide";
    if (!overlay.hidden) {
      document.getElementById("overlay-slide").textContent = header;
      document.getElementById("overlay-clock").textContent = clock();
      document.getElementById("overlay-notes").innerHTML = noteHtml(current);
      document.getElementById("overlay-next").textContent = next;
    }
    if (notesWindow && !notesWindow.closed) {
      var doc = notesWindow.document;
      doc.getElementById("h").textContent = header + " · " + clock();
      doc.getElementById("t").textContent = slides[current].getAttribute("data-title");
      doc.getElementById("b").innerHTML = noteHtml(current);
      doc.getElementById("x").textContent = next;
    }
  }
  function show(i) {
    i = Math.max(0, Math.min(slides.length - 1, i));
    slides[current].classList.remove("current");
    current = i;
    slides[current].classList.add("current");
    if (location.hash !== "#" + (i + 1)) { history.replaceState(null, "", "#" + (i + 1)); }
    renderNotes();
  }
  function fromHash() {
    var n = parseInt(location.hash.replace("#", ""), 10);
    return isNaN(n) ? 0 : n - 1;
  }
  function openNotesWindow() {
    notesWindow = window.open("", "day13-speaker-notes", "width=760,height=560");
    if (!notesWindow) { return; }
    var doc = notesWindow.document;
    doc.open();
    doc.write('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Speaker notes</title><style>' +
      'body{font-family:sans-serif;font-size:22px;line-height:1.45;margin:20px;background:#15171c;color:#f3f1ea}' +
      '#h{color:#ff9e64;font-size:16px}#t{font-size:28px;margin:6px 0 12px}#x{color:#9aa0ab;font-size:16px;margin-top:14px}' +
      'code{background:#2c313c;padding:0 4px;border-radius:3px}</style></head><body>' +
      '<div id="h"></div><div id="t"></div><div id="b"></div><div id="x"></div></body></html>');
    doc.close();
    doc.addEventListener("keydown", onKey);
    renderNotes();
  }
  function onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    switch (e.key) {
      case "ArrowRight": case "ArrowDown": case "PageDown": case " ": case "Enter": show(current + 1); break;
      case "ArrowLeft": case "ArrowUp": case "PageUp": case "Backspace": show(current - 1); break;
      case "Home": show(0); break;
      case "End": show(slides.length - 1); break;
      case "s": case "S": overlay.hidden = !overlay.hidden; renderNotes(); break;
      case "n": case "N": openNotesWindow(); break;
      default: return;
    }
    e.preventDefault();
  }

  slides.forEach(function (slide) { slide.classList.add("current"); shrink(slide); slide.classList.remove("current"); });
  current = Math.max(0, Math.min(slides.length - 1, fromHash()));
  slides[current].classList.add("current");
  fit();
  // `day13.html?notes#5` opens on slide 5 with the notes overlay shown.
  if (/[?&]notes\b/.test(location.search)) { overlay.hidden = false; }
  show(current);
  window.addEventListener("resize", fit);
  window.addEventListener("hashchange", function () { show(fromHash()); });
  document.addEventListener("keydown", onKey);
  setInterval(function () {
    if (!overlay.hidden) { document.getElementById("overlay-clock").textContent = clock(); }
  }, 1000);
})();
