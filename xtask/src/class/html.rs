//! The class page: one self-contained HTML file (inline style and script, nothing loaded from
//! anywhere, and a Content-Security-Policy that forbids loading anything). Every string from a
//! report is escaped: names and messages come from learners' machines.

use std::fmt::Write;

use super::{Class, cell};

/// Escapes text for HTML content and attribute values (the JUnit report's XML escape).
pub(crate) use crate::grade::report::xml as escape;

const STYLE: &str = "
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 84rem; padding: 0 1rem; color: #1d2330; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: #5b6475; } code { font: 13px ui-monospace, monospace; }
table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #e3e6ec; vertical-align: top; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort=ascending] button::after { content: ' ▲'; } th[aria-sort=descending] button::after { content: ' ▼'; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.passed { background: #e3f6e8; color: #17662f; } td.failed { background: #fdeaea; color: #9b1c1c; }
td.compile { background: #fff1dc; color: #8a4b00; } td.todo, td.missing { color: #8a92a3; }
td.cell { white-space: nowrap; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: .6rem; background: #d64545; border-radius: 2px; vertical-align: middle; margin-left: .4rem; }
td.share { white-space: nowrap; font-variant-numeric: tabular-nums; } .pct { display: inline-block; width: 2.6rem; text-align: right; }
td.id { white-space: nowrap; }
.msg { font: 13px ui-monospace, monospace; color: #3b4252; overflow-wrap: anywhere; }
.aside li { margin: .2rem 0; } .aside code { overflow-wrap: anywhere; }
";

/// Click a column's header to sort by it; click again to reverse. A cell's `data-key` (a number)
/// sorts it when present, its text otherwise.
const SCRIPT: &str = "
for (const table of document.querySelectorAll('table.sortable')) {
  table.querySelectorAll('thead th').forEach((th, i) => th.querySelector('button').addEventListener('click', () => {
    const dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    table.querySelectorAll('thead th').forEach(h => h.removeAttribute('aria-sort'));
    th.setAttribute('aria-sort', dir);
    const key = row => { const c = row.cells[i]; return c.dataset.key !== undefined ? Number(c.dataset.key) : c.textContent.trim().toLowerCase(); };
    const body = table.tBodies[0];
    const rows = Array.from(body.rows).sort((a, b) => {
      const x = key(a), y = key(b);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return dir === 'ascending' ? c : -c;
    });
    for (const row of rows) body.appendChild(row);
  }));
}
";

fn header(out: &mut String, columns: &[&str]) {
    out.push_str("<thead><tr>");
    for c in columns {
        let _ = write!(
            out,
            "<th><button type=\"button\">{}</button></th>",
            escape(c)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
}

pub fn page(class: &Class) -> String {
    let mut out = String::new();
    let version = class.version.as_deref().unwrap_or("(no version)");
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Day 13 class: {} learner(s)</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Day 13, circuit breakers in Tower: the class</h1>\n\
         <p class=\"meta\">{} learner(s) on hidden tests <code>{}</code>; {} file(s) set aside. \
         Click a column's header to sort by it.</p>\n",
        class.learners.len(),
        class.learners.len(),
        escape(version),
        class.aside.len(),
    );

    out.push_str("<h2 id=\"stuck\">Where the room is stuck</h2>\n<p class=\"meta\">Hidden tests that learners reached and failed, the most failed first (a test that still reaches a <code>todo!()</code> is not reached).</p>\n");
    if class.stuck.is_empty() {
        out.push_str("<p>No learner fails a test they reached.</p>\n");
    } else {
        out.push_str("<table class=\"sortable\" id=\"stuck-table\">");
        header(
            &mut out,
            &[
                "Exercise",
                "Hidden test",
                "Failing",
                "Share",
                "Not reached",
                "Most common failure",
            ],
        );
        for s in &class.stuck {
            let percent = s.percent();
            let _ = writeln!(
                out,
                "<tr><td class=\"id\">{}</td><td><code>{}</code></td><td class=\"num\" data-key=\"{}\">{} of {}</td>\
                 <td class=\"share\" data-key=\"{percent}\"><span class=\"pct\">{percent}%</span><span class=\"bar\" style=\"width:{}px\"></span></td>\
                 <td class=\"num\" data-key=\"{}\">{}</td><td class=\"msg\" data-key=\"{}\">{}× {}</td></tr>",
                escape(&s.exercise),
                escape(s.label()),
                s.failing,
                s.failing,
                s.graded,
                percent,
                s.not_reached,
                s.not_reached,
                s.message_count,
                s.message_count,
                escape(&s.message),
            );
        }
        out.push_str("</tbody></table>\n");
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} hidden test(s) fail for nobody who reached them.</p>",
        class.clean_tests
    );

    out.push_str("<h2 id=\"progress\">Progress</h2>\n<p class=\"meta\">Hidden tests passed per exercise: ✓ done, ✗ failing, · not started, ! does not compile. Hover a cell for the failing tests.</p>\n");
    out.push_str("<table class=\"sortable\" id=\"progress-table\">");
    let mut columns = vec!["Learner"];
    columns.extend(class.exercises.iter().map(String::as_str));
    columns.extend(["Done", "Tests passed"]);
    header(&mut out, &columns);
    for l in &class.learners {
        let _ = write!(
            out,
            "<tr><td title=\"{}\">{}</td>",
            escape(&l.path),
            escape(&l.name)
        );
        for id in &class.exercises {
            let e = l.exercise(id);
            let (kind, text) = cell(e);
            let failing: Vec<&str> = e
                .map(|e| {
                    e.tests
                        .iter()
                        .filter(|t| t.failing())
                        .map(|t| t.name.as_str())
                        .collect()
                })
                .unwrap_or_default();
            let title = match e {
                Some(e) if e.compile_error.is_some() => e.compile_error.clone().unwrap_or_default(),
                _ if failing.is_empty() => String::new(),
                _ => format!("failing: {}", failing.join(", ")),
            };
            let _ = write!(
                out,
                "<td class=\"cell {kind}\" data-key=\"{}\" title=\"{}\">{}</td>",
                e.map_or(-1, |e| e.passed as i64),
                escape(&title),
                escape(&text)
            );
        }
        let (passed, total) = l.passed();
        let _ = writeln!(
            out,
            "<td class=\"num\" data-key=\"{done}\">{done} of {}</td><td class=\"num\" data-key=\"{passed}\">{passed} of {total}</td></tr>",
            l.report.exercises.len(),
            done = l.done(),
        );
    }
    out.push_str("</tbody></table>\n");

    if !class.aside.is_empty() {
        out.push_str("<h2 id=\"aside\">Set aside</h2>\n<p class=\"meta\">These files are not in the figures above.</p>\n<ul class=\"aside\">\n");
        for a in &class.aside {
            let _ = writeln!(
                out,
                "<li><code>{}</code>: {}</li>",
                escape(&a.path),
                escape(&a.why)
            );
        }
        out.push_str("</ul>\n");
    }
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_in_a_name_is_text() {
        assert_eq!(
            escape("<img src=x onerror='a(\"&\")'>"),
            "&lt;img src=x onerror=&apos;a(&quot;&amp;&quot;)&apos;&gt;"
        );
    }
}
