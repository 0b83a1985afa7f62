"""check_report finds every way a page could reach the network or show code."""

from __future__ import annotations

from zzeval.report.htmlcheck import check_report, is_external, page_requests_from_netlog

OK_HEAD = '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title>'


def _page(head="", body="<p>巴公镇</p>"):
    return f"{OK_HEAD}{head}</head><body>{body}</body></html>"


def test_clean_page_passes():
    html = _page(
        head="<style>body{background:url(data:image/png;base64,AAAA)}</style>",
        body='<p>巴公镇</p><img src="data:image/png;base64,iVBOR" alt="x">'
             '<a href="https://www.mee.gov.cn/">标准原文</a><a href="#s1">本页</a>',
    )
    assert check_report(html, required_text=["巴公镇"]) == []


def test_is_external():
    for u in ("http://a", "https://cdn.x/require.js", "//cdn.x/a.js", " HTTPS://x", "ftp://x"):
        assert is_external(u), u
    for u in ("data:image/png;base64,AA", "#top", "bagong.html", "./fig.png", "static/a.css"):
        assert not is_external(u), u


def test_each_external_resource_is_reported():
    cases = {
        '<script src="https://cdnjs.cloudflare.com/require.js"></script>': "<script src>",
        '<link rel="stylesheet" href="//cdn.example/x.css">': "<link href>",
        '<img src="http://example.com/a.png">': "<img src>",
        '<img srcset="a.png 1x, https://x/b.png 2x">': "<img srcset>",
        '<iframe src="https://example.com"></iframe>': "<iframe src>",
        "<style>@import url('https://fonts.googleapis.com/css');</style>": "CSS",
        "<style>p{background:url(https://x/y.png)}</style>": "CSS",
        '<div style="background:url(//x/y.png)"></div>': "CSS (style attribute",
    }
    for snippet, where in cases.items():
        problems = check_report(_page(body=snippet))
        assert any(where in p for p in problems), (snippet, problems)


def test_scripts_code_prompts_stderr_tracebacks_size_lang_and_required_text():
    p = check_report(_page(body="<script>alert(1)</script>"))
    assert any("<script> element" in x for x in p)
    p = check_report(_page(body='<div class="jp-InputArea-editor">x = 1</div>'
                                '<div class="jp-InputPrompt">In [1]:</div>'))
    assert any("code cells or prompts" in x for x in p)
    p = check_report(_page(body='<div data-mime-type="application/vnd.jupyter.stderr">w</div>'))
    assert any("stderr" in x for x in p)
    p = check_report(_page(body="<pre>Traceback (most recent call last):</pre>"))
    assert any("traceback" in x for x in p)
    big = _page(body="<p>" + "x" * 2000 + "</p>")
    assert any("exceeds the budget of 1,000 bytes" in x for x in check_report(big, max_bytes=1000))
    assert any("lang" in x for x in check_report("<html><body>巴公镇</body></html>"))
    assert check_report(_page(), required_text=["高都镇"]) == ["required text '高都镇' not found"]
    # an escaped crafted name counts as present (it is shown as text)
    assert check_report(_page(body="<p>&lt;b&gt;镇</p>"), required_text=["<b>镇"]) == []


def test_netlog_page_requests_ignore_browser_background_traffic():
    netlog = {
        "constants": {"logEventTypes": {"URL_REQUEST_START_JOB": 7, "OTHER": 1}},
        "events": [
            {"type": 7, "params": {"url": "https://update.googleapis.com/x",
                                   "network_isolation_key": "null null"}},
            {"type": 7, "params": {"url": "https://example.com/a.png",
                                   "network_isolation_key": "file:// file://"}},
            {"type": 7, "params": {"url": "file:///tmp/r.html",
                                   "network_isolation_key": "file:// file://"}},
            {"type": 1, "params": {"url": "https://example.com/b.png"}},
        ],
    }
    assert page_requests_from_netlog(netlog) == ["https://example.com/a.png"]
