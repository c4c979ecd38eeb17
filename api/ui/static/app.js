// personagraph web UI: progressive enhancements only; every page works without script.
"use strict";
(function () {
  // Hovering a node of the cluster picture lights it, its edges and its neighbours.
  function graphHover(svg) {
    var edges = svg.querySelectorAll("line.e");
    var nodes = {};
    svg.querySelectorAll(".node").forEach(function (n) { nodes[n.dataset.id] = n; });
    var byNode = {};
    edges.forEach(function (e) {
      (byNode[e.dataset.a] = byNode[e.dataset.a] || []).push(e);
      (byNode[e.dataset.b] = byNode[e.dataset.b] || []).push(e);
    });
    function clear() {
      svg.classList.remove("focus");
      svg.querySelectorAll(".lit").forEach(function (x) { x.classList.remove("lit"); });
    }
    Object.keys(nodes).forEach(function (id) {
      var n = nodes[id];
      n.addEventListener("mouseenter", function () {
        clear();
        svg.classList.add("focus");
        n.classList.add("lit");
        (byNode[id] || []).forEach(function (e) {
          e.classList.add("lit");
          var other = e.dataset.a === id ? e.dataset.b : e.dataset.a;
          if (nodes[other]) nodes[other].classList.add("lit");
        });
      });
      n.addEventListener("mouseleave", clear);
    });
  }

  // A search box above a table hides the rows that do not contain its text.
  function tableFilter(input) {
    var table = document.getElementById(input.dataset.table);
    if (!table) return;
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        tr.hidden = q !== "" && tr.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  }

  // Confirming a ring is a strong statement: ask once.
  function confirmButtons() {
    document.querySelectorAll("button.danger").forEach(function (b) {
      b.addEventListener("click", function (ev) {
        if (b.dataset.noConfirm === "1") return;
        if (!window.confirm("Record this label? It is kept in the history and the audit trail.")) ev.preventDefault();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var g = document.getElementById("cluster-graph");
    if (g) graphHover(g);
    document.querySelectorAll("input.table-filter").forEach(tableFilter);
    confirmButtons();
  });
})();
