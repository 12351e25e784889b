/// The shell every page shares: head, style, navigation, and the one script (plot
/// readouts). No external asset: style and script are inline, allowed by a per-response
/// nonce in the Content-Security-Policy, which forbids everything else.
struct PageLayout {
    /// What the navigation shows.
    struct Navigation {
        /// Link prefix (the path of `--external-url`, without a trailing slash; "" at the root).
        var prefix: String
        /// The workspace shown; nil on the sign-in page.
        var workspace: String?
        /// Workspaces to switch between (admin only); empty hides the switcher.
        var switchable: [String]
        /// Which link is the current page: `overview`, `series`, `rules`.
        var current: String
        /// The query suffix that keeps an admin's workspace on links (`?workspace=x`), or "".
        var workspaceQuery: String
    }

    /// - Parameter metaPolicy: also state the Content-Security-Policy in a `<meta>` (a file
    ///   opened from disk has no response headers to carry it).
    static func page(title: String, nonce: String, navigation: Navigation?, main: String, version: String, metaPolicy: Bool = false) -> String {
        var html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        if metaPolicy { html += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(policy(nonce: nonce, forms: false))\">" }
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        html += "<link rel=\"icon\" href=\"data:,\">"
        html += "<title>\(HTML.escape(title)) · aiops</title><style nonce=\"\(nonce)\">\(style)</style></head><body>"
        html += "<a class=\"skip\" href=\"#main\">Skip to content</a>"
        if let navigation { html += nav(navigation) }
        html += "<main id=\"main\">\(main)</main>"
        html += "<footer><p>aiops \(HTML.escape(version)) · times in UTC</p></footer>"
        html += "<script nonce=\"\(nonce)\">\(script)</script></body></html>"
        return html
    }

    /// Only this page's own inline style and script (by nonce), and the empty favicon.
    static func policy(nonce: String, forms: Bool = true) -> String {
        "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'nonce-\(nonce)'; img-src data:"
            + (forms ? "; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" : "; base-uri 'none'")
    }

    static func nav(_ navigation: Navigation) -> String {
        let p = navigation.prefix
        let q = navigation.workspaceQuery
        var html = "<header><nav aria-label=\"Main\"><a class=\"brand\" href=\"\(p)/\(q)\">aiops</a><ul>"
        for (key, label, path) in [("overview", "Overview", "/"), ("series", "Series", "/series"), ("rules", "Rules", "/rules")] {
            let current = navigation.current == key ? " aria-current=\"page\"" : ""
            html += "<li><a href=\"\(p)\(path)\(q)\"\(current)>\(label)</a></li>"
        }
        html += "</ul>"
        if let workspace = navigation.workspace {
            if navigation.switchable.count > 1 {
                html += "<form class=\"switch\" method=\"get\" action=\"\(p)/\"><label for=\"workspace-switch\">Workspace</label> "
                html += "<select id=\"workspace-switch\" name=\"workspace\">"
                for name in navigation.switchable {
                    html += "<option\(name == workspace ? " selected" : "")>\(HTML.escape(name))</option>"
                }
                html += "</select> <button type=\"submit\">Show</button></form>"
            } else {
                html += "<span class=\"workspace\">Workspace <strong>\(HTML.escape(workspace))</strong></span>"
            }
            html += "<form class=\"signout\" method=\"post\" action=\"\(p)/logout\"><button type=\"submit\">Sign out</button></form>"
        }
        html += "</nav></header>"
        return html
    }

    static let style = """
    :root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--accent:#0b57d0;--value:#1f5fbf;--score:#b35c00;\
    --pending:rgba(230,170,0,.22);--firing:rgba(210,30,30,.16);--resolved:rgba(20,140,80,.16)}
    *{box-sizing:border-box}
    body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
    a{color:var(--accent)}
    a:focus,button:focus,select:focus,input:focus,svg:focus{outline:3px solid #f0a000;outline-offset:2px}
    .skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:2}
    header{border-bottom:1px solid var(--line);background:#f6f8fa}
    nav{display:flex;flex-wrap:wrap;align-items:center;gap:6px 16px;padding:8px 16px;max-width:1100px;margin:0 auto}
    nav ul{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;margin:0;padding:0}
    nav a[aria-current]{font-weight:600;color:var(--fg)}
    .brand{font-weight:700;text-decoration:none;color:var(--fg)}
    nav form{display:flex;align-items:center;gap:6px;margin:0}.signout{margin-left:auto}
    main{max-width:1100px;margin:0 auto;padding:8px 16px 24px}
    h1{font-size:1.5em;margin:.6em 0 .3em;overflow-wrap:anywhere}h2{font-size:1.2em;margin:1.2em 0 .4em;overflow-wrap:anywhere}
    h3{font-size:1.05em;margin:1em 0 .3em;overflow-wrap:anywhere}
    section{margin-bottom:12px}
    .table-wrap{overflow-x:auto;max-width:100%}
    table{border-collapse:collapse;width:100%;font-size:.94em}
    th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
    th{font-weight:600;background:#f6f8fa}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}
    dl.facts dt{font-weight:600;color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
    code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.92em;overflow-wrap:anywhere}
    .sev{display:inline-block;padding:0 6px;border-radius:4px;font-size:.85em;font-weight:600}
    .sev-critical{background:#ffd7d5;color:#82071e}.sev-warning{background:#fff1c2;color:#6b4b00}.sev-info{background:#ddf4ff;color:#0a3069}
    .phase-firing{color:#a40e26;font-weight:600}.phase-pending{color:#7a5500;font-weight:600}.phase-resolved{color:#116329}
    .note,.muted{color:var(--muted)}
    .slot{border:1px dashed var(--line);border-radius:6px;padding:4px 12px;margin:12px 0}
    .slot.empty{color:var(--muted)}
    pre.panel{white-space:pre-wrap;overflow-wrap:anywhere;font:.9em/1.4 ui-monospace,"DejaVu Sans Mono",monospace;margin:8px 0}
    .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:10px}
    .card{border:1px solid var(--line);border-radius:6px;padding:8px 12px}
    .card .big{font-size:1.4em;font-weight:600}
    meter{width:100%}
    .bad{color:#a40e26;font-weight:600}.good{color:#116329;font-weight:600}
    form.search{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
    form.search label{display:block;font-weight:600}
    input[type=text],input[type=password]{font:inherit;padding:6px 8px;border:1px solid #8c959f;border-radius:4px;width:100%;max-width:640px}
    .grow{flex:1 1 260px}
    button{font:inherit;padding:5px 12px;border:1px solid #8c959f;border-radius:4px;background:#f6f8fa;cursor:pointer}
    .error{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:8px 12px}
    figure.plot{margin:8px 0 16px}
    .plot-frame{overflow-x:auto;max-width:100%}
    .plot-frame svg{display:block;width:100%;min-width:480px;height:auto;background:#fff}
    svg .grid line{stroke:#eaeef2;stroke-width:1}
    svg text{font:13px system-ui,"DejaVu Sans",sans-serif;fill:#57606a;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
    svg text.y{text-anchor:start}svg text.x{text-anchor:middle}svg text.x.start{text-anchor:start}svg text.x.end{text-anchor:end}svg text.s{fill:var(--score);text-anchor:end}
    svg .band{fill:rgba(31,95,191,.13);stroke:none}
    svg .expected{fill:none;stroke:#57606a;stroke-width:1.3;stroke-dasharray:5 3}
    svg .value{fill:none;stroke:var(--value);stroke-width:1.6;stroke-linejoin:round}
    svg .score{fill:none;stroke:var(--score);stroke-width:1.2;opacity:.85}
    svg .threshold{stroke:var(--score);stroke-width:1;stroke-dasharray:2 3}
    svg .span-pending{fill:var(--pending)}svg .span-firing{fill:var(--firing)}svg .span-resolved{fill:var(--resolved)}
    svg .cursor{stroke:#24292f;stroke-width:1;visibility:hidden}svg .cursor.on{visibility:visible}
    .legend{margin:4px 0;font-size:.9em;display:flex;flex-wrap:wrap;gap:4px 12px}
    .key::before{content:"";display:inline-block;width:18px;height:10px;margin-right:5px;vertical-align:middle}
    .key-value::before{border-top:2px solid var(--value);height:0}
    .key-expected::before{border-top:2px dashed #57606a;height:0}
    .key-band::before{background:rgba(31,95,191,.13)}
    .key-score::before{border-top:2px solid var(--score);height:0}
    .key-threshold::before{border-top:2px dotted var(--score);height:0}
    .key-pending::before{background:var(--pending)}.key-firing::before{background:var(--firing)}.key-resolved::before{background:var(--resolved)}
    output.readout{display:block;min-height:1.5em;font-size:.92em;font-variant-numeric:tabular-nums}
    footer{max-width:1100px;margin:0 auto;padding:0 16px 16px;color:var(--muted);font-size:.85em}
    @media (max-width:600px){body{font-size:14px}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:6px}.signout{margin-left:0}\
    .plot-frame svg{min-width:0}svg text{font-size:24px;stroke-width:5px}svg text.x.alt{display:none}svg .value{stroke-width:2.6}svg .score{stroke-width:2}}
    """

    /// Plot readouts: the nearest column to the pointer, or the arrow keys on a focused plot.
    static let script = """
    (function(){function setup(f){var svg=f.querySelector('svg'),out=f.querySelector('output'),cur=svg&&svg.querySelector('.cursor'),el=f.querySelector('script.plot-data');\
    if(!svg||!out||!cur||!el)return;var d=JSON.parse(el.textContent),i=-1,n=d.x.length;if(!n)return;\
    function show(k){i=Math.max(0,Math.min(n-1,k));cur.setAttribute('x1',d.x[i]);cur.setAttribute('x2',d.x[i]);cur.classList.add('on');out.textContent=d.r[i];}\
    function near(x){var lo=0,hi=n-1;while(lo<hi){var m=(lo+hi)>>1;if(d.x[m]<x)lo=m+1;else hi=m;}if(lo>0&&x-d.x[lo-1]<d.x[lo]-x)lo--;return lo;}\
    svg.addEventListener('pointermove',function(e){var m=svg.getScreenCTM();if(!m)return;var p=svg.createSVGPoint();p.x=e.clientX;p.y=e.clientY;show(near(p.matrixTransform(m.inverse()).x));});\
    svg.addEventListener('keydown',function(e){var s={ArrowLeft:-1,ArrowRight:1,PageUp:-10,PageDown:10}[e.key];\
    if(e.key==='Home'){show(0);e.preventDefault();}else if(e.key==='End'){show(n-1);e.preventDefault();}else if(s){show((i<0?n-1:i)+s);e.preventDefault();}});\
    svg.addEventListener('focus',function(){if(i<0)show(n-1);});}\
    var fs=document.querySelectorAll('figure.plot');for(var k=0;k<fs.length;k++)setup(fs[k]);})();
    """
}
