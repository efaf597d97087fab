//! The format-neutral half of parsing: both parsers report what they meet (a partition opens,
//! a number, a heading, a reference, quoted text, plain text) and this builder turns it into
//! the partition tree, each partition's own text, its versions and the references.

use std::collections::HashMap;

use crate::ids::{self, Work};
use crate::model::{Mention, Partition, PartitionKind, Reference, Version};
use crate::xml::{LineIndex, ParseError, push_break, push_collapsed, trimmed};

/// The period a partition element says it is in force (multi-version NIR).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vigenza {
    /// First day in force.
    pub from: Option<String>,
    /// Day it stops being in force.
    pub until: Option<String>,
    /// The source status (`abrogato`).
    pub status: Option<String>,
    /// The act (as written) whose event starts the period.
    pub from_source: Option<String>,
    /// The act (as written) whose event ends it.
    pub until_source: Option<String>,
}

impl Vigenza {
    /// This period completed by the one of the enclosing partition where it says nothing.
    fn within(self, outer: Option<&Vigenza>) -> Vigenza {
        let Some(outer) = outer else { return self };
        let (from, from_source) = match self.from {
            Some(d) => (Some(d), self.from_source),
            None => (outer.from.clone(), outer.from_source.clone()),
        };
        let (until, until_source) = match self.until {
            Some(d) => (Some(d), self.until_source),
            None => (outer.until.clone(), outer.until_source.clone()),
        };
        Vigenza {
            from,
            until,
            status: self.status.or_else(|| outer.status.clone()),
            from_source,
            until_source,
        }
    }
}

struct OpenPartition {
    index: usize,
    text: String,
    num: Option<String>,
    heading: Option<String>,
    vigenza: Option<Vigenza>,
    /// Children seen so far per kind (for ids of partitions without one).
    children: Ordinals,
    /// Reopened to add children: closing it leaves its text alone.
    reopened: bool,
}

/// How many children of each kind a partition has had so far: a few kinds at most, so a short
/// list, not a hash map per partition.
#[derive(Default)]
struct Ordinals(Vec<(PartitionKind, usize)>);

impl Ordinals {
    /// Counts one more child of `kind` and returns its ordinal (1-based).
    fn next(&mut self, kind: PartitionKind) -> usize {
        match self.0.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.0.push((kind, 1));
                1
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Capture {
    Num,
    Heading,
}

struct OpenRef {
    href: String,
    text: String,
    from: Option<usize>,
}

/// Accumulates the partitions and references of one document while it is read.
pub struct Builder {
    work: Work,
    /// Partitions, parents first.
    pub partitions: Vec<Partition>,
    /// References outside quoted text.
    pub references: Vec<Reference>,
    /// Inline semantic elements outside quoted text.
    pub mentions: Vec<Mention>,
    /// Indices in `mentions` of the open ones (their surface text still growing).
    open_mentions: Vec<usize>,
    by_id: HashMap<String, usize>,
    open: Vec<OpenPartition>,
    quoted: usize,
    captures: Vec<(Capture, String)>,
    refs: Vec<OpenRef>,
    top_children: Ordinals,
    /// The id prefix for partitions of the attachment being read (`all1`).
    prefix: Vec<String>,
    default_from: Option<String>,
    resolved: HashMap<String, Result<ids::Target, String>>,
    /// Byte offset of the element being read (set by the event loop).
    offset: usize,
    /// Byte offset of each partition's element, by index in `partitions`.
    offsets: Vec<usize>,
    /// Partitions whose source id was already taken: kept under another id, and reported.
    duplicates: Vec<Duplicate>,
}

/// A partition whose source id another partition of the document already had.
struct Duplicate {
    /// Where it starts.
    offset: usize,
    /// Where the first partition with that id starts.
    first: usize,
    /// The id as written.
    source_id: String,
    /// The canonical id it would have had.
    id: String,
    /// The id it was given instead.
    kept_as: String,
}

impl Builder {
    /// A builder for a document of the given work (the base of relative references).
    pub fn new(work: Work) -> Self {
        Builder {
            work,
            partitions: Vec::new(),
            references: Vec::new(),
            mentions: Vec::new(),
            open_mentions: Vec::new(),
            by_id: HashMap::new(),
            open: Vec::new(),
            quoted: 0,
            captures: Vec::new(),
            refs: Vec::new(),
            top_children: Ordinals::default(),
            prefix: Vec::new(),
            default_from: None,
            resolved: HashMap::new(),
            offset: 0,
            offsets: Vec::new(),
            duplicates: Vec::new(),
        }
    }

    /// Records the byte offset of the element being read.
    pub fn set_offset(&mut self, offset: usize) {
        self.offset = offset;
    }

    /// The warnings of the document read so far, located in `text`: each partition whose
    /// id was already taken (duplicate `eId`s are accepted: the later one is kept under the
    /// id with `-2`, `-3`… appended, and said so).
    pub fn warnings(&self, text: &str) -> Vec<ParseError> {
        if self.duplicates.is_empty() {
            return Vec::new();
        }
        // one scan of the document for all its warnings: a scan from the start for each was
        // 45% of the parse time of the 100k scale corpus (BENCHMARKS.md)
        let lines = LineIndex::new(
            text,
            self.duplicates.iter().flat_map(|d| [d.first, d.offset]),
        );
        self.duplicates
            .iter()
            .map(|d| {
                let (line, col) = lines.line_col(d.first);
                lines.error(
                    d.offset,
                    format!(
                        "duplicate id {:?}: partition {} was already read at {line}:{col}; \
                         this one is kept as {}",
                        d.source_id, d.id, d.kept_as
                    ),
                )
            })
            .collect()
    }

    /// Replaces the work (once the metadata has named it).
    pub fn set_work(&mut self, work: Work) {
        self.work = work;
        self.resolved.clear();
    }

    /// Resolves a reference against the work being read. The act part of `act#partition`
    /// is memoised (acts cite the same acts many times); whole references seldom repeat
    /// within a document (47,228 distinct of 58,827 in a sample of the scale corpus,
    /// BENCHMARKS.md), so they are not.
    pub fn resolve(&mut self, href: &str) -> Result<ids::Target, String> {
        let href = href.trim();
        match href.find(['#', '~']) {
            Some(at) if at > 0 => self.resolve_uncached(href),
            _ => self.memoise(href).clone(),
        }
    }

    /// The memoised resolution of `href`, resolved now if it was not yet.
    fn memoise(&mut self, href: &str) -> &Result<ids::Target, String> {
        let href = href.trim();
        if !self.resolved.contains_key(href) {
            let r = self.resolve_uncached(href);
            self.resolved.insert(href.to_string(), r);
        }
        &self.resolved[href]
    }

    /// `act#partition`: the act part is resolved once per document, the partition on its own
    /// (most references of an act name few acts and many partitions).
    fn resolve_uncached(&mut self, href: &str) -> Result<ids::Target, String> {
        if let Some(at) = href.find(['#', '~']) {
            let (act, fragment) = (&href[..at], &href[at + 1..]);
            if !act.is_empty()
                && !fragment.trim().is_empty()
                && let Ok(t) = self.memoise(act)
                && t.partition.is_none()
                && let Ok(p) = ids::normalize_partition(fragment)
            {
                let partition = ids::code_partition(&t.work, Some(p), false);
                return Ok(ids::Target {
                    work: t.work.clone(),
                    partition,
                });
            }
        }
        match ids::resolve_href(href, Some(&self.work)) {
            Ok(t) => Ok(t),
            // Normattiva writes `#art_com3-leta` (the article number left out): the act is
            // still known, so the reference lands on it rather than nowhere
            Err(e) if e.reason == "partition number missing" => {
                match href.find(['#', '~']).map(|at| &href[..at]) {
                    Some(act) if !act.is_empty() => self.resolve(act).map_err(|_| e.reason),
                    _ => Err(e.reason),
                }
            }
            Err(e) => Err(e.reason),
        }
    }

    /// The date partitions without a period of their own start from (the act's entry into force).
    pub fn set_default_from(&mut self, date: Option<String>) {
        self.default_from = date;
    }

    /// True inside quoted text (`quotedStructure`, `virgolette`...).
    pub fn in_quoted(&self) -> bool {
        self.quoted > 0
    }

    /// Index of the innermost open partition.
    pub fn current(&self) -> Option<usize> {
        self.open.last().map(|o| o.index)
    }

    /// Enters quoted text: what follows belongs to another act.
    pub fn open_quoted(&mut self) {
        self.quoted += 1;
    }

    /// Leaves quoted text.
    pub fn close_quoted(&mut self) {
        self.quoted = self.quoted.saturating_sub(1);
    }

    /// Starts an attachment scope: partitions inside get ids prefixed by `prefix`.
    pub fn push_prefix(&mut self, prefix: String) {
        self.prefix.push(prefix);
    }

    /// Ends an attachment scope.
    pub fn pop_prefix(&mut self) {
        self.prefix.pop();
    }

    /// The canonical id a partition gets from the source id, or from its position.
    fn partition_id(&mut self, kind: PartitionKind, source_id: Option<&str>) -> String {
        let ordinal = {
            let counter = match self.open.last_mut() {
                Some(o) => &mut o.children,
                None => &mut self.top_children,
            };
            counter.next(kind)
        };
        let from_source = source_id
            .and_then(|s| ids::normalize_partition(s).ok())
            .filter(|s| !s.is_empty())
            .map(from_article_down);
        let id = match from_source {
            Some(id) => id,
            None => {
                let parent = self
                    .open
                    .last()
                    .map(|o| self.partitions[o.index].id.as_str())
                    .or_else(|| self.prefix.last().map(String::as_str));
                match parent {
                    Some(p) => format!("{p}-{}{ordinal}", kind.id_prefix()),
                    None => format!("{}{ordinal}", kind.id_prefix()),
                }
            }
        };
        match self.prefix.last() {
            Some(p) if !within(&id, p) => format!("{p}-{id}"),
            _ => id,
        }
    }

    /// Opens a partition. `vigenza` is the period the element itself declares, if any.
    /// Ignored inside quoted text (returns false: the caller must not close it).
    pub fn open_partition(
        &mut self,
        kind: PartitionKind,
        source_id: Option<&str>,
        vigenza: Option<Vigenza>,
    ) -> bool {
        if self.in_quoted() {
            return false;
        }
        let inherited = self.open.last().and_then(|o| o.vigenza.clone());
        let versioned_context = vigenza.is_some() || inherited.is_some();
        let effective = match vigenza {
            Some(own) => Some(own.within(inherited.as_ref())),
            None => inherited,
        };
        let mut id = self.partition_id(kind, source_id);
        let parent = self.current();
        let index = match self.by_id.get(&id) {
            Some(&i) if versioned_context && self.partitions[i].kind == kind => i,
            Some(&first) => {
                let mut n = 2;
                while self.by_id.contains_key(&format!("{id}-{n}")) {
                    n += 1;
                }
                let kept_as = format!("{id}-{n}");
                if let Some(source_id) = source_id {
                    self.duplicates.push(Duplicate {
                        offset: self.offset,
                        first: self.offsets.get(first).copied().unwrap_or_default(),
                        source_id: source_id.to_string(),
                        id: std::mem::replace(&mut id, kept_as.clone()),
                        kept_as,
                    });
                } else {
                    id = kept_as;
                }
                self.new_partition(id, kind, parent, source_id)
            }
            None => self.new_partition(id, kind, parent, source_id),
        };
        self.open.push(OpenPartition {
            index,
            text: String::new(),
            num: None,
            heading: None,
            vigenza: effective,
            children: Ordinals::default(),
            reopened: false,
        });
        true
    }

    /// Reopens a partition already read, to add children to it (a code's article kept in
    /// an attachment of its own joins the attachment group).
    pub fn reopen(&mut self, index: usize) {
        let mut children = Ordinals::default();
        for p in self.partitions.iter().filter(|p| p.parent == Some(index)) {
            children.next(p.kind);
        }
        self.open.push(OpenPartition {
            index,
            text: String::new(),
            num: None,
            heading: None,
            vigenza: None,
            children,
            reopened: true,
        });
    }

    /// The work being read.
    pub fn work(&self) -> &Work {
        &self.work
    }

    fn new_partition(
        &mut self,
        id: String,
        kind: PartitionKind,
        parent: Option<usize>,
        source_id: Option<&str>,
    ) -> usize {
        let index = self.partitions.len();
        self.by_id.insert(id.clone(), index);
        self.offsets.push(self.offset);
        self.partitions.push(Partition {
            id,
            kind,
            parent,
            num: None,
            heading: None,
            text: String::new(),
            source_id: source_id.map(str::to_string),
            versions: Vec::new(),
            in_force_from: None,
            in_force_until: None,
        });
        index
    }

    /// Closes the innermost open partition.
    pub fn close_partition(&mut self) {
        let Some(o) = self.open.pop() else { return };
        if o.reopened {
            return;
        }
        let text = trimmed(o.text);
        let sources = o.vigenza.as_ref().map(|v| {
            let mut resolve = |h: &Option<String>| h.as_deref().and_then(|h| self.resolve(h).ok());
            (resolve(&v.from_source), resolve(&v.until_source))
        });
        let p = &mut self.partitions[o.index];
        match o.vigenza {
            Some(v) => {
                let (introduced_by, ended_by) = sources.unwrap_or_default();
                let current = v.until.is_none();
                if current || p.versions.is_empty() {
                    p.text = text.clone();
                    p.num = o.num.clone();
                    p.heading = o.heading.clone();
                }
                p.versions.push(Version {
                    from: v.from,
                    until: v.until,
                    num: o.num,
                    heading: o.heading,
                    text,
                    status: v.status,
                    introduced_by,
                    ended_by,
                });
            }
            None => {
                p.text = text;
                p.num = o.num;
                p.heading = o.heading;
            }
        }
    }

    /// Starts capturing the number of the current partition.
    pub fn begin_num(&mut self) -> bool {
        self.begin(Capture::Num)
    }

    /// Starts capturing the heading of the current partition.
    pub fn begin_heading(&mut self) -> bool {
        self.begin(Capture::Heading)
    }

    fn begin(&mut self, c: Capture) -> bool {
        if self.in_quoted() || self.open.is_empty() {
            return false;
        }
        self.captures.push((c, String::new()));
        true
    }

    /// Ends the capture opened by `begin_num` / `begin_heading`.
    pub fn end_capture(&mut self) {
        let Some((c, text)) = self.captures.pop() else {
            return;
        };
        let value = trimmed(text);
        if value.is_empty() {
            return;
        }
        if let Some(o) = self.open.last_mut() {
            let slot = match c {
                Capture::Num => &mut o.num,
                Capture::Heading => &mut o.heading,
            };
            match slot {
                Some(existing) => {
                    existing.push(' ');
                    existing.push_str(&value);
                }
                None => *slot = Some(value),
            }
        }
    }

    /// Opens a reference; ignored inside quoted text (returns false).
    pub fn open_ref(&mut self, href: String) -> bool {
        if self.in_quoted() {
            return false;
        }
        let from = self.current();
        self.refs.push(OpenRef {
            href,
            text: String::new(),
            from,
        });
        true
    }

    /// Closes the innermost open reference and records it.
    pub fn close_ref(&mut self) {
        let Some(r) = self.refs.pop() else { return };
        let (target, unresolved) = match self.resolve(&r.href) {
            Ok(t) => (Some(t), None),
            Err(reason) => (None, Some(reason)),
        };
        self.references.push(Reference {
            from: r.from,
            href: r.href,
            target,
            unresolved,
            text: trimmed(r.text),
        });
    }

    /// Opens an inline semantic element (`term`, `def`, `person`...); ignored inside quoted
    /// text (returns false: the caller must not close it).
    pub fn open_mention(
        &mut self,
        element: &str,
        refers_to: Option<String>,
        role: Option<String>,
        value: Option<String>,
    ) -> bool {
        if self.in_quoted() {
            return false;
        }
        let strip = |s: Option<String>| {
            s.map(|v| v.trim().trim_start_matches('#').to_string())
                .filter(|v| !v.is_empty())
        };
        self.open_mentions.push(self.mentions.len());
        self.mentions.push(Mention {
            element: element.to_string(),
            from: self.current(),
            refers_to: strip(refers_to),
            role: strip(role),
            value: value
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty()),
            text: String::new(),
        });
        true
    }

    /// Closes the innermost open semantic element.
    pub fn close_mention(&mut self) {
        if let Some(i) = self.open_mentions.pop() {
            let m = &mut self.mentions[i];
            let trimmed = m.text.trim();
            if trimmed.len() != m.text.len() {
                m.text = trimmed.to_string();
            }
        }
    }

    /// Text content: goes to open references, to a number/heading capture, or else to the
    /// current partition's own text.
    pub fn text(&mut self, s: &str) {
        for r in &mut self.refs {
            push_collapsed(&mut r.text, s);
        }
        for &i in &self.open_mentions {
            push_collapsed(&mut self.mentions[i].text, s);
        }
        if let Some((_, buf)) = self.captures.last_mut() {
            push_collapsed(buf, s);
            return;
        }
        if let Some(o) = self.open.last_mut() {
            push_collapsed(&mut o.text, s);
        }
    }

    /// A block boundary (paragraph, line break): separates words.
    pub fn block_break(&mut self) {
        if let Some((_, buf)) = self.captures.last_mut() {
            push_break(buf);
        } else if let Some(o) = self.open.last_mut() {
            push_break(&mut o.text);
        }
    }

    /// Closes whatever is still open and returns partitions, references and mentions, with
    /// the period each partition exists computed from its versions.
    pub fn finish(mut self) -> (Vec<Partition>, Vec<Reference>, Vec<Mention>) {
        while !self.open_mentions.is_empty() {
            self.close_mention();
        }
        while !self.refs.is_empty() {
            self.close_ref();
        }
        while !self.open.is_empty() {
            self.close_partition();
        }
        for p in &mut self.partitions {
            for v in &mut p.versions {
                if v.from.is_none() {
                    v.from = self.default_from.clone();
                }
            }
            if p.versions.is_empty() {
                p.in_force_from = self.default_from.clone();
                continue;
            }
            p.in_force_from = p
                .versions
                .iter()
                .filter_map(|v| v.from.clone())
                .min()
                .or_else(|| self.default_from.clone());
            p.in_force_until = if p.versions.iter().any(|v| v.until.is_none()) {
                None
            } else {
                p.versions.iter().filter_map(|v| v.until.clone()).max()
            };
        }
        (self.partitions, self.references, self.mentions)
    }
}

/// True when `id` is `prefix` or starts with `prefix-`.
fn within(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

/// Articles are numbered throughout an act: drop the containers an AKN eId puts before the
/// article (`cap1-art5-com2` is `art5-com2`).
fn from_article_down(id: String) -> String {
    // the common case, an id that starts at the article or has none, stays as it is
    if id.split('-').skip(1).all(|c| !is_article_component(c)) {
        return id;
    }
    let parts: Vec<&str> = id.split('-').collect();
    match parts.iter().position(|c| is_article_component(c)) {
        Some(i) if i > 0 => {
            // keep an attachment prefix (`all1-...`)
            let keep: Vec<&str> = parts[..i]
                .iter()
                .copied()
                .filter(|c| c.starts_with("all"))
                .collect();
            let mut out = keep.join("-");
            if !out.is_empty() {
                out.push('-');
            }
            out.push_str(&parts[i..].join("-"));
            out
        }
        _ => id,
    }
}

fn is_article_component(c: &str) -> bool {
    c.strip_prefix("art").is_some_and(|rest| {
        rest.chars()
            .next()
            .is_some_and(|ch| ch.is_ascii_alphanumeric())
    }) && !c.starts_with("arti")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_before_the_article_are_dropped() {
        assert_eq!(from_article_down("cap1-art5-com2".into()), "art5-com2");
        assert_eq!(from_article_down("all1-cap2-art3".into()), "all1-art3");
        assert_eq!(from_article_down("tit2-cap1".into()), "tit2-cap1");
        assert_eq!(from_article_down("art5".into()), "art5");
    }
}
