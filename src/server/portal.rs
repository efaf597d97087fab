//! The operators' portal: server-rendered HTML pages in five languages ([`i18n`]), working
//! without JavaScript and without anything fetched from elsewhere.
//!
//! | path | page | library call |
//! |---|---|---|
//! | `/` | search box, procedure catalogue by category, language switch | [`procedure::list`] |
//! | `/search?q=&kind=&act=&at=&page=` | procedures first, then articles and commi | [`crate::search::TextIndex::search_marked`] |
//! | `/procedure/ID` (HTML) | the procedure with its legal bases in force on `at` | [`procedure::show`], [`crate::check::check`] |
//! | `/act/…/artN` (HTML) | a norm: citation, text on `at`, versions, citations, procedures | [`procedure::norm`], [`history::history`], [`act::link`] |
//! | `/act/…` (HTML, an act) | citation, title, contents, the acts it amends and that amend it | [`act::act`] |
//!
//! Every page takes `?lang=it|en|fr|es|ar` (else `Accept-Language`) and keeps it in its links.
//! Templates are maud's compiled `html!`, which escapes every value it writes.
//!
//! [`i18n`]: super::i18n

use super::api::{blocking, lookup};
use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::AppState;
use super::error::ApiError;
use super::i18n::{Label, Lang};
use crate::act::{self, ActLink, ActView, ContentsEntry};
use crate::history::{self, PartitionHistory};
use crate::ids::BASE;
use crate::procedure::{
    self, Amendment, LegalBasisView, NormView, ProcedureSummary, ProcedureView, RelyingProcedure,
};
use crate::search::{Filters, Hit, Hits, Kind, Markers};

/// Results per search page.
const PAGE_SIZE: usize = 20;
/// What marks a query word in a snippet before it is turned into `<mark>` (private-use
/// characters: they never occur in the corpus' text).
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

/// What a page needs to know of its request.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The chosen language.
    pub lang: Lang,
    /// The request path (for the language switch).
    pub path: String,
    /// The query parameters other than `lang`, in a stable order.
    pub params: BTreeMap<String, String>,
}

impl Ctx {
    /// The context of a request to `path`.
    pub fn new(path: &str, params: &HashMap<String, String>, headers: &HeaderMap) -> Ctx {
        Ctx {
            lang: Lang::choose(params.get("lang").map(String::as_str), headers),
            path: path.to_string(),
            params: params
                .iter()
                .filter(|(k, _)| k.as_str() != "lang")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// A label in the page's language.
    fn t(&self, label: Label) -> &'static str {
        label.in_lang(self.lang)
    }

    /// A local link to `path` with `pairs`, the language kept.
    fn link(&self, path: &str, pairs: &[(&str, &str)]) -> String {
        link_in(self.lang, path, pairs)
    }

    /// This page in another language.
    fn switch(&self, lang: Lang) -> String {
        let pairs: Vec<(&str, &str)> = self
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        link_in(lang, &self.path, &pairs)
    }
}

fn link_in(lang: Lang, path: &str, pairs: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    q.append_pair("lang", lang.code());
    format!("{path}?{}", q.finish())
}

/// The server path of a canonical IRI (`/act/…`, `/procedure/…`), or the IRI itself.
fn local(iri: &str) -> String {
    match iri.strip_prefix(BASE) {
        Some(rest) => format!("/{rest}"),
        None => iri.to_string(),
    }
}

/// The frame every page shares: `lang` and `dir`, the header with the search box and the
/// language switch.
fn layout(ctx: &Ctx, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) dir=(ctx.lang.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · paesi" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    a.brand href=(ctx.link("/", &[])) { "paesi" }
                    span.tagline { (ctx.t(Label::Tagline)) }
                    nav aria-label=(ctx.t(Label::Language)) {
                        ul.langs {
                            @for l in Lang::ALL {
                                li {
                                    @if l == ctx.lang {
                                        span lang=(l.code()) aria-current="true" { (l.name()) }
                                    } @else {
                                        a lang=(l.code()) hreflang=(l.code()) href=(ctx.switch(l)) { (l.name()) }
                                    }
                                }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60em;margin:auto;padding:1em;line-height:1.5;color:#1a1a1a;background:#fff}\
header{display:flex;flex-wrap:wrap;gap:1em;align-items:baseline;border-bottom:1px solid #888;padding-bottom:.5em}\
.brand{font-weight:bold;font-size:1.4em}.langs{list-style:none;display:flex;gap:.8em;padding:0;margin:0}\
a{color:#0645ad}mark{background:#ffe066;color:#000}blockquote{white-space:pre-wrap;border-inline-start:4px solid #888;margin:.5em 0;padding-inline-start:1em}\
.meta{color:#444;font-size:.9em}.hit{margin:1em 0}label{margin-inline-end:.5em}";

/// The search form (`<form action="/search"><input name="q">`).
fn search_form(ctx: &Ctx, q: &str) -> Markup {
    html! {
        form action="/search" method="get" role="search" {
            label for="q" { (ctx.t(Label::SearchLabel)) }
            input id="q" type="search" name="q" value=(q);
            input type="hidden" name="lang" value=(ctx.lang.code());
            button type="submit" { (ctx.t(Label::Search)) }
        }
    }
}

/// The `at` parameter (a valid date), else today.
fn day(params: &BTreeMap<String, String>) -> Result<String, ApiError> {
    match params.get("at").filter(|s| !s.is_empty()) {
        Some(s) => crate::dates::parse(s)
            .ok_or_else(|| ApiError::BadRequest(format!("at={s:?} is not a date (YYYY-MM-DD)"))),
        None => Ok(crate::dates::today()),
    }
}

fn page(markup: Markup) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------
// home

/// `GET /`: the search box and the catalogue by category.
pub async fn home(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = Ctx::new("/", &params, &headers);
    let code = ctx.lang.code().to_string();
    let list =
        blocking(move || procedure::list(state.kb(), &[], None, &code).map_err(lookup)).await?;
    Ok(page(layout(&ctx, "paesi", home_body(&ctx, &list))))
}

fn home_body(ctx: &Ctx, list: &[ProcedureSummary]) -> Markup {
    let mut by_category: BTreeMap<&str, Vec<&ProcedureSummary>> = BTreeMap::new();
    let mut other = Vec::new();
    for p in list {
        if p.categories.is_empty() {
            other.push(p);
        }
        for c in &p.categories {
            by_category.entry(c.as_str()).or_default().push(p);
        }
    }
    html! {
        h1 { (ctx.t(Label::Tagline)) }
        (search_form(ctx, ""))
        h2 { (ctx.t(Label::Catalogue)) }
        @for (category, procs) in &by_category {
            (catalogue_section(ctx, category, procs))
        }
        @if !other.is_empty() {
            (catalogue_section(ctx, ctx.t(Label::Uncategorised), &other))
        }
    }
}

fn catalogue_section(ctx: &Ctx, heading: &str, procs: &[&ProcedureSummary]) -> Markup {
    html! {
        section {
            h3 { (heading) }
            ul {
                @for p in procs {
                    li { a href=(ctx.link(&local(&p.iri), &[])) { (p.title) } }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// search

/// `GET /search?q=…`: procedures first, then articles and commi, with filters and paging.
pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = Ctx::new("/search", &params, &headers);
    let q = ctx.params.get("q").cloned().unwrap_or_default();
    let kind = match ctx.params.get("kind").filter(|k| !k.is_empty()) {
        Some(k) => Some(
            Kind::parse(k)
                .ok_or_else(|| ApiError::BadRequest(format!("kind={k:?} is not a kind")))?,
        ),
        None => None,
    };
    let act = ctx.params.get("act").filter(|a| !a.is_empty()).cloned();
    let at = day(&ctx.params)?;
    let page_no: usize = match ctx.params.get("page") {
        Some(p) => p
            .parse()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| ApiError::BadRequest(format!("page={p:?} is not a page number")))?,
        None => 1,
    };
    let filters = Filters {
        kind,
        act,
        doc_type: None,
        at: Some(at.clone()),
    };
    let hits = if q.trim().is_empty() {
        Hits::default()
    } else {
        let index = state
            .search_index()
            .ok_or_else(|| ApiError::Unavailable("the text index could not be opened".into()))?;
        let query = q.clone();
        blocking(move || {
            index
                .reload()
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let markers = Markers {
                before: MARK_OPEN.to_string(),
                after: MARK_CLOSE.to_string(),
            };
            index
                .search_marked(
                    &query,
                    &filters,
                    PAGE_SIZE,
                    (page_no - 1) * PAGE_SIZE,
                    &markers,
                )
                .map_err(|e| ApiError::BadRequest(e.to_string()))
        })
        .await?
    };
    let title = if q.is_empty() {
        ctx.t(Label::Search).to_string()
    } else {
        format!("{q} · {}", ctx.t(Label::Results))
    };
    Ok(page(layout(
        &ctx,
        &title,
        search_body(&ctx, &q, &at, page_no, &hits),
    )))
}

fn search_body(ctx: &Ctx, q: &str, at: &str, page_no: usize, hits: &Hits) -> Markup {
    let (procs, norms): (Vec<&Hit>, Vec<&Hit>) =
        hits.hits.iter().partition(|h| h.kind == "procedure");
    html! {
        h1 { (ctx.t(Label::Results)) }
        (search_form(ctx, q))
        (search_filters(ctx, q, at))
        @if !q.trim().is_empty() {
            p.meta { (ctx.t(Label::Found)) ": " (hits.total) }
            @if !hits.all_words && hits.total > 0 {
                p { (ctx.t(Label::SomeWords)) }
            }
            @if hits.total == 0 {
                p { (ctx.t(Label::NoResults)) }
            }
            @if !procs.is_empty() {
                section {
                    h2 { (ctx.t(Label::Procedures)) }
                    @for h in &procs { (hit(ctx, h, at)) }
                }
            }
            @if !norms.is_empty() {
                section {
                    h2 { (ctx.t(Label::Norms)) }
                    @for h in &norms { (hit(ctx, h, at)) }
                }
            }
            (paging(ctx, page_no, hits.total))
        }
    }
}

/// The kind links, the act filter's reset and the date form.
fn search_filters(ctx: &Ctx, q: &str, at: &str) -> Markup {
    let with = |key: &str, value: Option<&str>| -> String {
        let mut pairs: Vec<(&str, &str)> = ctx
            .params
            .iter()
            .filter(|(k, _)| k.as_str() != key && k.as_str() != "page")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(v) = value {
            pairs.push((key, v));
        }
        ctx.link("/search", &pairs)
    };
    let kinds = [
        (None, Label::AllKinds),
        (Some("procedure"), Label::KindProcedure),
        (Some("article"), Label::KindArticle),
        (Some("paragraph"), Label::KindParagraph),
        (Some("point"), Label::KindPoint),
    ];
    let current = ctx.params.get("kind").map(String::as_str);
    html! {
        nav.meta aria-label=(ctx.t(Label::Results)) {
            @for (k, label) in kinds {
                @if current.filter(|c| !c.is_empty()) == k {
                    strong { (ctx.t(label)) } " "
                } @else {
                    a href=(with("kind", k)) { (ctx.t(label)) } " "
                }
            }
            @if ctx.params.get("act").is_some_and(|a| !a.is_empty()) {
                " · " a href=(with("act", None)) { (ctx.t(Label::AllActs)) }
            }
        }
        form action="/search" method="get" {
            input type="hidden" name="q" value=(q);
            input type="hidden" name="lang" value=(ctx.lang.code());
            @for key in ["kind", "act"] {
                @if let Some(v) = ctx.params.get(key) {
                    input type="hidden" name=(key) value=(v);
                }
            }
            label for="at" { (ctx.t(Label::InForceOn)) }
            input id="at" type="date" name="at" value=(at);
            button type="submit" { (ctx.t(Label::Show)) }
        }
    }
}

/// A snippet with the query words in `<mark>` (every piece escaped).
fn snippet(s: &str) -> Markup {
    let mut pieces: Vec<(bool, String)> = Vec::new();
    let mut marked = false;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            MARK_OPEN | MARK_CLOSE => {
                pieces.push((marked, std::mem::take(&mut cur)));
                marked = c == MARK_OPEN;
            }
            c => cur.push(c),
        }
    }
    pieces.push((marked, cur));
    html! {
        @for (m, text) in &pieces {
            @if *m { mark { (text) } } @else { (text) }
        }
    }
}

fn hit(ctx: &Ctx, h: &Hit, at: &str) -> Markup {
    let target = ctx.link(&local(&h.iri), &[("at", at)]);
    html! {
        article.hit {
            h3 { a href=(target) { (h.citation) } }
            @if let Some(heading) = &h.heading { p.meta { (heading) } }
            p { (snippet(&h.snippet)) }
            @if h.from.is_some() || h.until.is_some() {
                p.meta {
                    @if let Some(f) = &h.from { (ctx.t(Label::From)) " " (f) " " }
                    @if let Some(u) = &h.until { (ctx.t(Label::Until)) " " (u) }
                }
            }
            @if let Some(act) = &h.act {
                @if ctx.params.get("act").map(String::as_str) != Some(act.as_str()) {
                    p.meta {
                        a href=(ctx.link("/search", &search_pairs(ctx, &[("act", act)]))) {
                            (ctx.t(Label::OnlyThisAct))
                        }
                    }
                }
            }
        }
    }
}

/// The current search's parameters with `overrides` (paging reset).
fn search_pairs<'a>(ctx: &'a Ctx, overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut pairs: Vec<(&str, &str)> = ctx
        .params
        .iter()
        .filter(|(k, _)| k.as_str() != "page" && !overrides.iter().any(|(o, _)| o == k))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.extend_from_slice(overrides);
    pairs
}

fn paging(ctx: &Ctx, page_no: usize, total: usize) -> Markup {
    let pages = total.div_ceil(PAGE_SIZE);
    let prev = (page_no - 1).to_string();
    let next = (page_no + 1).to_string();
    html! {
        @if pages > 1 {
            nav.meta {
                @if page_no > 1 {
                    a rel="prev" href=(ctx.link("/search", &search_pairs(ctx, &[("page", &prev)]))) { (ctx.t(Label::Previous)) }
                    " "
                }
                (page_no) " / " (pages)
                @if page_no < pages {
                    " "
                    a rel="next" href=(ctx.link("/search", &search_pairs(ctx, &[("page", &next)]))) { (ctx.t(Label::Next)) }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// procedure

/// The HTML page of procedure `id` (`/procedure/ID` asked for as HTML).
pub async fn procedure_page(
    state: AppState,
    id: String,
    params: HashMap<String, String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = Ctx::new(&format!("/procedure/{id}"), &params, &headers);
    let at = day(&ctx.params)?;
    let code = ctx.lang.code().to_string();
    let day = at.clone();
    let (view, check, links) = blocking(move || {
        let kb = state.kb();
        let view = procedure::show(kb, &id, &day, &code).map_err(lookup)?;
        let check = crate::check::check(kb, &id, &day, &code).map_err(lookup)?;
        // the acts of the last amendments, linked only when the knowledge base holds them
        let mut links = BTreeMap::new();
        for source in view
            .legal_bases
            .iter()
            .filter_map(|b| b.last_amendment.as_ref()?.source.as_deref())
        {
            if !links.contains_key(source) {
                links.insert(source.to_string(), act::link(kb, source).map_err(lookup)?);
            }
        }
        Ok((view, check, links))
    })
    .await?;
    Ok(page(layout(
        &ctx,
        &view.title,
        procedure_body(&ctx, &view, &check, &links),
    )))
}

fn procedure_body(
    ctx: &Ctx,
    v: &ProcedureView,
    check: &crate::check::CheckReport,
    links: &BTreeMap<String, ActLink>,
) -> Markup {
    html! {
        h1 { (v.title) }
        @if let Some(d) = &v.description { p { (d) } }
        (day_form(ctx, &v.at))
        (procedure_properties(ctx, v))
        section {
            h2 { (ctx.t(Label::LegalBases)) }
            @for b in &v.legal_bases { (legal_basis(ctx, b, &v.at, links)) }
        }
        (figures_section(ctx, check, &held_norms(v)))
        (check_findings(ctx, check))
        (other_formats(ctx))
    }
}

/// The date picker: the page again, its texts as on another day.
fn day_form(ctx: &Ctx, at: &str) -> Markup {
    html! {
        form method="get" action=(ctx.path) {
            input type="hidden" name="lang" value=(ctx.lang.code());
            label for="at" { (ctx.t(Label::InForceOn)) }
            input id="at" type="date" name="at" value=(at);
            button type="submit" { (ctx.t(Label::Show)) }
        }
    }
}

/// The name of a property the catalogue uses, read from its IRI (`hasCompetentAuthority` →
/// `Competent authority`) — the vocabulary's term, shown as is in every language.
fn property_name(iri: &str) -> String {
    let local = iri.rsplit(['#', '/']).next().unwrap_or(iri);
    let local = local.strip_prefix("has").unwrap_or(local);
    let mut out = String::new();
    for (i, c) in local.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Authority, who may apply, requirements, documents, costs, time limits, channel: every
/// property the view has, as the catalogue states it.
fn procedure_properties(ctx: &Ctx, v: &ProcedureView) -> Markup {
    html! {
        @if !v.properties.is_empty() {
            section {
                h2 { (ctx.t(Label::Details)) }
                dl {
                    @for p in &v.properties {
                        dt { (property_name(&p.property)) }
                        @for value in &p.values { dd { (value) } }
                    }
                }
            }
        }
    }
}

fn legal_basis(
    ctx: &Ctx,
    b: &LegalBasisView,
    at: &str,
    links: &BTreeMap<String, ActLink>,
) -> Markup {
    html! {
        article.hit {
            h3 {
                @let name = b.citation.as_deref().or(b.heading.as_deref()).unwrap_or(&b.urn);
                @if b.in_kb {
                    a href=(ctx.link(&local(&b.norm), &[("at", at)])) { (name) }
                } @else {
                    (name)
                }
            }
            @if b.citation.is_some() {
                @if let Some(h) = &b.heading { p { (h) } }
            }
            p.meta { code { (b.urn) } }
            @if let Some(role) = &b.role { p { (ctx.t(Label::Role)) ": " (role) } }
            @if let Some(c) = &b.comment { p { (c) } }
            @if b.in_kb {
                h4 { (ctx.t(Label::TextInForce)) " " (at) }
                @match &b.text {
                    Some(text) => blockquote lang="it" { (text) },
                    None => p { (ctx.t(Label::NoTextInForce)) },
                }
            }
            @if let Some(a) = &b.last_amendment {
                p.meta { (ctx.t(Label::LastAmendment)) ": " (amendment(ctx, a, links)) }
            }
            @if let Some(n) = &b.normattiva {
                p { (ctx.t(Label::NotInKb)) " " a href=(n) { (ctx.t(Label::ReadOnNormattiva)) } }
            }
        }
    }
}

fn amendment(ctx: &Ctx, a: &Amendment, links: &BTreeMap<String, ActLink>) -> Markup {
    html! {
        @if let Some(d) = &a.date { (d) " · " }
        (a.kind)
        @if let Some(s) = &a.source { " · " (named(ctx, s, links)) }
    }
}

/// The legal bases of a procedure that the knowledge base holds (their norm pages exist).
fn held_norms(v: &ProcedureView) -> std::collections::BTreeSet<&str> {
    v.legal_bases
        .iter()
        .filter(|b| b.in_kb)
        .map(|b| b.norm.as_str())
        .collect()
}

/// Each figure with the comma that states it (linked when the knowledge base holds it: a
/// figure's basis is always one of the procedure's legal bases), its verification state
/// (unverified and outdated ones marked plainly) and what the comma in force says of it.
fn figures_section(
    ctx: &Ctx,
    check: &crate::check::CheckReport,
    held: &std::collections::BTreeSet<&str>,
) -> Markup {
    html! {
        @if !check.figures.is_empty() {
            section {
                h2 { (ctx.t(Label::Figures)) }
                ul {
                    @for c in &check.figures {
                        @let f = &c.figure;
                        li.figure data-verification=(f.verification) data-outcome=(c.outcome) {
                            strong { (f.stated) }
                            @if let Some(l) = &f.label { " — " (l) }
                            br;
                            (ctx.t(Label::StatedBy)) ": "
                            @match &f.norm {
                                Some(n) if held.contains(n.as_str()) => {
                                    a href=(ctx.link(&local(n), &[])) { code { (f.basis) } }
                                }
                                _ => code { (f.basis) },
                            }
                            br;
                            @match (f.verification.as_str(), &f.checked_on) {
                                ("verified", Some(on)) => span { (ctx.t(Label::VerifiedOn)) " " (on) },
                                ("outdated", _) => strong.warning { (ctx.t(Label::Outdated)) },
                                _ => strong.warning { (ctx.t(Label::Unverified)) },
                            }
                            br;
                            (ctx.t(Label::CheckOutcome)) ": " (c.outcome) " — " (c.message)
                        }
                    }
                }
            }
        }
    }
}

/// The aspects where `procedure --check` finds the catalogue and the law disagree.
fn check_findings(ctx: &Ctx, check: &crate::check::CheckReport) -> Markup {
    html! {
        @if check.disagreements > 0 {
            section {
                h2 { (ctx.t(Label::CheckFindings)) }
                ul {
                    @for a in check.aspects.iter().filter(|a| a.outcome == "disagree") {
                        li { (a.message) }
                    }
                }
            }
        }
    }
}

fn other_formats(ctx: &Ctx) -> Markup {
    html! {
        p.meta {
            (ctx.t(Label::OtherFormats)) ": "
            a href={ (ctx.path) "?format=turtle" } { "Turtle" } " · "
            a href={ (ctx.path) "?format=jsonld" } { "JSON-LD" }
        }
    }
}

// ---------------------------------------------------------------------------------------
// norm

/// The HTML page of the partition at `path` (`/act/…/art29` asked for as HTML).
pub async fn norm_page(
    state: AppState,
    path: String,
    params: HashMap<String, String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = Ctx::new(&format!("/{path}"), &params, &headers);
    let at = day(&ctx.params)?;
    let code = ctx.lang.code().to_string();
    let iri = format!("{BASE}{path}");
    let page_data = blocking(move || {
        let kb = state.kb();
        let view = procedure::norm(kb, &iri, &at, &code).map_err(lookup)?;
        let history = match history::history(kb, &iri) {
            Ok(h) => h.into_iter().next(),
            Err(history::HistoryError::NotFound(_)) => None,
            Err(e) => return Err(ApiError::Internal(e.to_string())),
        };
        // every act or partition the page names, with its citation and whether it has a page
        let mut names: Vec<&str> = view
            .cites
            .iter()
            .chain(&view.cited_by)
            .map(String::as_str)
            .collect();
        if let Some(h) = &history {
            for v in &h.versions {
                names.extend(v.introduced_by.as_deref());
                names.extend(v.ended_by.as_deref());
            }
        }
        names.extend(view.amendments.iter().filter_map(|a| a.source.as_deref()));
        let act_iri = crate::ids::act_iri_of(&view.iri);
        names.extend(act_iri.as_deref());
        let mut links = BTreeMap::new();
        for n in names {
            if !links.contains_key(n) {
                links.insert(n.to_string(), act::link(kb, n).map_err(lookup)?);
            }
        }
        Ok(NormPage {
            act: act_iri.and_then(|a| links.get(&a).cloned()),
            view,
            history,
            links,
        })
    })
    .await?;
    let v = &page_data.view;
    let title = v
        .citation
        .clone()
        .or_else(|| v.heading.clone())
        .unwrap_or_else(|| local(&v.iri));
    Ok(page(layout(
        &ctx,
        &title,
        norm_body(&ctx, &title, &page_data),
    )))
}

/// What the norm page shows: the library's norm view, the partition's history, and the
/// acts and partitions it names.
struct NormPage {
    view: NormView,
    history: Option<PartitionHistory>,
    /// The act the norm belongs to.
    act: Option<ActLink>,
    links: BTreeMap<String, ActLink>,
}

fn norm_body(ctx: &Ctx, title: &str, p: &NormPage) -> Markup {
    let v = &p.view;
    html! {
        h1 { (title) }
        @if v.citation.is_some() {
            @if let Some(h) = &v.heading { p { (h) } }
        }
        @if let Some(a) = &p.act {
            p { (ctx.t(Label::InAct)) ": " (act_link(ctx, a)) }
        }
        p.meta { code { (v.iri) } }
        (day_form(ctx, &v.at))
        h2 { (ctx.t(Label::TextInForce)) " " (v.at) }
        @match &v.text {
            Some(text) => blockquote lang="it" { (text) },
            None => p { (ctx.t(Label::NoTextInForce)) },
        }
        @if let Some(n) = &v.normattiva {
            p { (ctx.t(Label::NotInKb)) " " a href=(n) { (ctx.t(Label::ReadOnNormattiva)) } }
        }
        @if let Some(h) = &p.history { (timeline(ctx, h, &v.at, &p.links)) }
        (norm_amendments(ctx, &v.amendments, &p.links))
        (relying(ctx, Label::RestingOn, &v.procedures))
        (relying(ctx, Label::RestingOnParts, &v.procedures_via_parts))
        (named_list(ctx, Label::Cites, &v.cites, &p.links))
        (named_list(ctx, Label::CitedBy, &v.cited_by, &p.links))
        (other_formats(ctx))
    }
}

/// A named act or partition: its citation, a link to its page when the knowledge base holds
/// it.
fn act_link(ctx: &Ctx, l: &ActLink) -> Markup {
    html! {
        @if l.in_kb {
            a href=(ctx.link(&local(&l.iri), &[])) { (l.citation) }
        } @else {
            span { (l.citation) }
        }
    }
}

/// `iri` as the page names it: its citation (linked when held), else the IRI.
fn named(ctx: &Ctx, iri: &str, links: &BTreeMap<String, ActLink>) -> Markup {
    match links.get(iri) {
        Some(l) => act_link(ctx, l),
        None => html! { (iri) },
    }
}

/// The versions of the partition, oldest first: each period, the acts that brought it in and
/// ended it, the one in force on the day shown marked.
fn timeline(
    ctx: &Ctx,
    h: &PartitionHistory,
    at: &str,
    links: &BTreeMap<String, ActLink>,
) -> Markup {
    let in_force = |from: &Option<String>, until: &Option<String>| {
        from.as_deref().is_none_or(|f| f <= at) && until.as_deref().is_none_or(|u| u > at)
    };
    html! {
        section {
            h2 { (ctx.t(Label::Versions)) }
            ol.timeline {
                @if h.versions.is_empty() {
                    li.current {
                        (period(ctx, &h.from, &h.until))
                    }
                }
                @for v in &h.versions {
                    @let current = in_force(&v.from, &v.until);
                    li class=[current.then_some("current")] {
                        (period(ctx, &v.from, &v.until))
                        @if let Some(s) = &v.status { " · " (s) }
                        @if current { " · " strong { (ctx.t(Label::InForceThatDay)) } }
                        @if let Some(i) = &v.introduced_by {
                            br; (ctx.t(Label::IntroducedBy)) " " (named(ctx, i, links))
                        }
                        @if let Some(e) = &v.ended_by {
                            br; (ctx.t(Label::EndedBy)) " " (named(ctx, e, links))
                        }
                    }
                }
            }
        }
    }
}

fn period(ctx: &Ctx, from: &Option<String>, until: &Option<String>) -> Markup {
    html! {
        @if let Some(f) = from { (ctx.t(Label::From)) " " time datetime=(f) { (f) } " " }
        @if let Some(u) = until { (ctx.t(Label::Until)) " " time datetime=(u) { (u) } }
    }
}

/// Its modifications (and those of the partitions holding it), oldest first, each with the
/// amending provision named.
fn norm_amendments(
    ctx: &Ctx,
    amendments: &[Amendment],
    links: &BTreeMap<String, ActLink>,
) -> Markup {
    html! {
        @if !amendments.is_empty() {
            section {
                h2 { (ctx.t(Label::Amendments)) }
                ol {
                    @for a in amendments {
                        li {
                            @if let Some(d) = &a.date { time datetime=(d) { (d) } " · " }
                            (a.kind)
                            @if let Some(s) = &a.source { " · " (named(ctx, s, links)) }
                        }
                    }
                }
            }
        }
    }
}

fn relying(ctx: &Ctx, heading: Label, procs: &[RelyingProcedure]) -> Markup {
    html! {
        @if !procs.is_empty() {
            section {
                h2 { (ctx.t(heading)) }
                ul {
                    @for p in procs {
                        li {
                            a href=(ctx.link(&format!("/procedure/{}", p.id), &[])) { (p.title) }
                            @if let Some(r) = &p.role { " · " (r) }
                        }
                    }
                }
            }
        }
    }
}

fn named_list(
    ctx: &Ctx,
    heading: Label,
    iris: &[String],
    links: &BTreeMap<String, ActLink>,
) -> Markup {
    html! {
        @if !iris.is_empty() {
            section {
                h2 { (ctx.t(heading)) }
                ul {
                    @for i in iris { li { (named(ctx, i, links)) } }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// act

/// The HTML page of the act at `path` (`/act/stato/decreto.legislativo/1998/286` asked for
/// as HTML): its citation and title, its contents, the acts it amends and that amend it.
pub async fn act_page(
    state: AppState,
    path: String,
    params: HashMap<String, String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = Ctx::new(&format!("/{path}"), &params, &headers);
    let iri = format!("{BASE}{path}");
    let view = blocking(move || act::act(state.kb(), &iri).map_err(lookup)).await?;
    let title = view
        .citation
        .clone()
        .or_else(|| view.title.clone())
        .unwrap_or_else(|| local(&view.iri));
    Ok(page(layout(&ctx, &title, act_body(&ctx, &title, &view))))
}

fn act_body(ctx: &Ctx, title: &str, v: &ActView) -> Markup {
    html! {
        h1 { (title) }
        @if v.citation.is_some() {
            @if let Some(t) = &v.title { p.title { (t) } }
        }
        p.meta { code { (v.iri) } }
        @if !v.contents.is_empty() {
            nav aria-labelledby="contents" {
                h2 id="contents" { (ctx.t(Label::Contents)) }
                (contents_list(ctx, &v.contents))
            }
        }
        (act_links(ctx, Label::Amends, &v.amends))
        (act_links(ctx, Label::AmendedBy, &v.amended_by))
        (other_formats(ctx))
    }
}

/// The table of contents, nested: each container and article linked to its page.
fn contents_list(ctx: &Ctx, entries: &[ContentsEntry]) -> Markup {
    html! {
        ul.contents {
            @for e in entries {
                li {
                    a href=(ctx.link(&local(&e.iri), &[])) {
                        @if let Some(n) = &e.number { (n) }
                        @if e.number.is_some() && e.heading.is_some() { " · " }
                        @if let Some(h) = &e.heading { (h) }
                        @if e.number.is_none() && e.heading.is_none() { (local(&e.iri)) }
                    }
                    @if !e.parts.is_empty() { (contents_list(ctx, &e.parts)) }
                }
            }
        }
    }
}

fn act_links(ctx: &Ctx, heading: Label, links: &[ActLink]) -> Markup {
    html! {
        @if !links.is_empty() {
            section {
                h2 { (ctx.t(heading)) }
                ul {
                    @for l in links { li { (act_link(ctx, l)) } }
                }
            }
        }
    }
}

/// True when `iri` is a partition of an act in the knowledge base (it has an act).
pub async fn is_partition(state: &AppState, iri: &str) -> Result<bool, ApiError> {
    let q = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ <{iri}> <{}act> ?a }}",
        crate::rdf::PAESI
    );
    holds(state, q).await
}

/// True when `iri` is an act the knowledge base holds (a document of it was ingested).
pub async fn is_act(state: &AppState, iri: &str) -> Result<bool, ApiError> {
    let s = state.clone();
    let iri = iri.to_string();
    blocking(move || act::act_in_kb(s.kb(), &iri).map_err(lookup)).await
}

async fn holds(state: &AppState, count: String) -> Result<bool, ApiError> {
    let s = state.clone();
    blocking(move || {
        s.kb()
            .count(&count)
            .map(|n| n > 0)
            .map_err(|e| ApiError::Internal(e.to_string()))
    })
    .await
}
