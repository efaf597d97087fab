//! The interface's labels in the five languages of the portal: one table ([`Label::all`]),
//! and the choice of language (`?lang=`, else `Accept-Language`, else Italian).
//!
//! Only the interface is translated here: titles, descriptions and legal text come from the
//! knowledge base as it holds them.

use axum::http::{HeaderMap, header};

/// A language of the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Italian (the default).
    It,
    /// English.
    En,
    /// French.
    Fr,
    /// Spanish.
    Es,
    /// Arabic (right to left).
    Ar,
}

impl Lang {
    /// Every language, in the order of the switch.
    pub const ALL: [Lang; 5] = [Lang::It, Lang::En, Lang::Fr, Lang::Es, Lang::Ar];

    /// Its BCP 47 code (`it`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::Ar => "ar",
        }
    }

    /// Its own name, as the switch shows it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::It => "Italiano",
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Es => "Español",
            Lang::Ar => "العربية",
        }
    }

    /// The writing direction (`rtl` for Arabic).
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The language of a code (`fr`, `fr-BE`, case ignored).
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The language of a request: `lang` when it names one, else the first of
    /// `Accept-Language` (by q-value) the portal has, else Italian.
    pub fn choose(lang: Option<&str>, headers: &HeaderMap) -> Lang {
        if let Some(l) = lang.and_then(Lang::parse) {
            return l;
        }
        let Some(accept) = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
        else {
            return Lang::It;
        };
        let mut ranked: Vec<(f32, usize, Lang)> = accept
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut fields = part.split(';');
                let lang = Lang::parse(fields.next()?)?;
                let q = fields
                    .filter_map(|f| f.trim().strip_prefix("q="))
                    .find_map(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, i, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map_or(Lang::It, |r| r.2)
    }
}

/// A label of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// The site's subtitle.
    Tagline,
    /// The search button.
    Search,
    /// The search box's label.
    SearchLabel,
    /// The catalogue heading.
    Catalogue,
    /// Procedures without a category.
    Uncategorised,
    /// The language switch's label.
    Language,
    /// Results heading.
    Results,
    /// Procedures heading.
    Procedures,
    /// Norms (articles, commi) heading.
    Norms,
    /// No results.
    NoResults,
    /// Filter: every kind.
    AllKinds,
    /// Kind: article.
    KindArticle,
    /// Kind: comma.
    KindParagraph,
    /// Kind: point.
    KindPoint,
    /// Kind: procedure.
    KindProcedure,
    /// Filter: only this act.
    OnlyThisAct,
    /// Filter: every act.
    AllActs,
    /// In force on (date field).
    InForceOn,
    /// Show (date form button).
    Show,
    /// In force from.
    From,
    /// In force until.
    Until,
    /// Previous page.
    Previous,
    /// Next page.
    Next,
    /// Legal bases heading.
    LegalBases,
    /// Role of a legal basis.
    Role,
    /// Text in force heading.
    TextInForce,
    /// No text in force on the day.
    NoTextInForce,
    /// Last amendment.
    LastAmendment,
    /// Act not in the knowledge base.
    NotInKb,
    /// Read it on Normattiva.
    ReadOnNormattiva,
    /// Details heading (the procedure's properties).
    Details,
    /// Versions heading.
    Versions,
    /// Cites heading.
    Cites,
    /// Cited by heading.
    CitedBy,
    /// Procedures resting on the norm.
    RestingOn,
    /// Procedures resting on a part of the norm.
    RestingOnParts,
    /// Other formats (Turtle, JSON-LD).
    OtherFormats,
    /// Home link.
    Home,
    /// The check disagrees.
    CheckFindings,
    /// The figures section: each time limit, amount, validity, authority with its comma.
    Figures,
    /// A figure nobody verified against the law in force.
    Unverified,
    /// A figure superseded by a later amendment.
    Outdated,
    /// A figure verified against the law in force on a day.
    VerifiedOn,
    /// What the comma in force says of a figure (the check's outcome).
    CheckOutcome,
    /// The comma that states a figure.
    StatedBy,
    /// Norm page link.
    NormPage,
    /// Page not found.
    NotFound,
    /// Search results total.
    Found,
    /// The words did not all match.
    SomeWords,
    /// Table of contents heading (act page).
    Contents,
    /// The acts an act amends.
    Amends,
    /// The acts that amend an act.
    AmendedBy,
    /// Amendments heading (the modifications naming a norm).
    Amendments,
    /// A version brought in by.
    IntroducedBy,
    /// A version ended by.
    EndedBy,
    /// The version in force on the day shown.
    InForceThatDay,
    /// The act a norm belongs to.
    InAct,
}

impl Label {
    /// The one translation table: it, en, fr, es, ar.
    pub fn all(self) -> [&'static str; 5] {
        match self {
            Label::Tagline => [
                "Il diritto dell'immigrazione: procedure e norme",
                "Italian immigration law: procedures and norms",
                "Droit italien de l'immigration : procédures et normes",
                "Derecho italiano de inmigración: procedimientos y normas",
                "قانون الهجرة الإيطالي: الإجراءات والقواعد",
            ],
            Label::Search => ["Cerca", "Search", "Rechercher", "Buscar", "بحث"],
            Label::SearchLabel => [
                "Cerca una procedura o una norma",
                "Search for a procedure or a norm",
                "Rechercher une procédure ou une norme",
                "Buscar un procedimiento o una norma",
                "ابحث عن إجراء أو قاعدة",
            ],
            Label::Catalogue => [
                "Catalogo delle procedure",
                "Procedure catalogue",
                "Catalogue des procédures",
                "Catálogo de procedimientos",
                "دليل الإجراءات",
            ],
            Label::Uncategorised => ["Altro", "Other", "Autre", "Otro", "أخرى"],
            Label::Language => ["Lingua", "Language", "Langue", "Idioma", "اللغة"],
            Label::Results => ["Risultati", "Results", "Résultats", "Resultados", "النتائج"],
            Label::Procedures => [
                "Procedure",
                "Procedures",
                "Procédures",
                "Procedimientos",
                "الإجراءات",
            ],
            Label::Norms => [
                "Articoli e commi",
                "Articles and paragraphs",
                "Articles et alinéas",
                "Artículos y apartados",
                "المواد والفقرات",
            ],
            Label::NoResults => [
                "Nessun risultato",
                "No results",
                "Aucun résultat",
                "Sin resultados",
                "لا توجد نتائج",
            ],
            Label::AllKinds => ["Tutto", "Everything", "Tout", "Todo", "الكل"],
            Label::KindArticle => ["Articoli", "Articles", "Articles", "Artículos", "المواد"],
            Label::KindParagraph => ["Commi", "Paragraphs", "Alinéas", "Apartados", "الفقرات"],
            Label::KindPoint => ["Lettere", "Points", "Points", "Letras", "البنود"],
            Label::KindProcedure => [
                "Procedure",
                "Procedures",
                "Procédures",
                "Procedimientos",
                "الإجراءات",
            ],
            Label::OnlyThisAct => [
                "solo in questo atto",
                "only in this act",
                "seulement dans cet acte",
                "solo en este acto",
                "في هذا النص فقط",
            ],
            Label::AllActs => [
                "tutti gli atti",
                "every act",
                "tous les actes",
                "todos los actos",
                "جميع النصوص",
            ],
            Label::InForceOn => [
                "In vigore il",
                "In force on",
                "En vigueur le",
                "Vigente el",
                "سارية بتاريخ",
            ],
            Label::Show => ["Mostra", "Show", "Afficher", "Mostrar", "عرض"],
            Label::From => ["dal", "from", "depuis le", "desde el", "من"],
            Label::Until => ["fino al", "until", "jusqu'au", "hasta el", "حتى"],
            Label::Previous => [
                "Precedenti",
                "Previous",
                "Précédents",
                "Anteriores",
                "السابق",
            ],
            Label::Next => ["Successivi", "Next", "Suivants", "Siguientes", "التالي"],
            Label::LegalBases => [
                "Base giuridica",
                "Legal basis",
                "Base juridique",
                "Base jurídica",
                "الأساس القانوني",
            ],
            Label::Role => ["Ruolo", "Role", "Rôle", "Función", "الدور"],
            Label::TextInForce => [
                "Testo in vigore il",
                "Text in force on",
                "Texte en vigueur le",
                "Texto vigente el",
                "النص الساري بتاريخ",
            ],
            Label::NoTextInForce => [
                "Nessun testo in vigore in quel giorno nella base di conoscenza",
                "No text in force on that day in the knowledge base",
                "Aucun texte en vigueur ce jour-là dans la base de connaissances",
                "Ningún texto vigente ese día en la base de conocimiento",
                "لا يوجد نص ساري في ذلك اليوم في قاعدة المعرفة",
            ],
            Label::LastAmendment => [
                "Ultima modifica",
                "Last amendment",
                "Dernière modification",
                "Última modificación",
                "آخر تعديل",
            ],
            Label::NotInKb => [
                "Questo atto non è nella base di conoscenza.",
                "This act is not in the knowledge base.",
                "Cet acte n'est pas dans la base de connaissances.",
                "Este acto no está en la base de conocimiento.",
                "هذا النص غير موجود في قاعدة المعرفة.",
            ],
            Label::ReadOnNormattiva => [
                "Leggilo su Normattiva",
                "Read it on Normattiva",
                "Le lire sur Normattiva",
                "Leerlo en Normattiva",
                "اقرأه على Normattiva",
            ],
            Label::Details => ["Dettagli", "Details", "Détails", "Detalles", "التفاصيل"],
            Label::Versions => ["Versioni", "Versions", "Versions", "Versiones", "الإصدارات"],
            Label::Cites => ["Cita", "Cites", "Cite", "Cita", "يستشهد بـ"],
            Label::CitedBy => [
                "Citato da",
                "Cited by",
                "Cité par",
                "Citado por",
                "مستشهد به في",
            ],
            Label::RestingOn => [
                "Procedure fondate su questa norma",
                "Procedures resting on this norm",
                "Procédures fondées sur cette norme",
                "Procedimientos basados en esta norma",
                "الإجراءات المستندة إلى هذه القاعدة",
            ],
            Label::RestingOnParts => [
                "Procedure fondate su una sua parte",
                "Procedures resting on a part of it",
                "Procédures fondées sur une de ses parties",
                "Procedimientos basados en una de sus partes",
                "الإجراءات المستندة إلى جزء منها",
            ],
            Label::OtherFormats => [
                "Altri formati",
                "Other formats",
                "Autres formats",
                "Otros formatos",
                "صيغ أخرى",
            ],
            Label::Home => ["Home", "Home", "Accueil", "Inicio", "الرئيسية"],
            Label::Figures => [
                "Termini, importi e autorità, con il comma che li stabilisce",
                "Time limits, amounts and authorities, with the comma that states each",
                "Délais, montants et autorités, avec l'alinéa qui fixe chacun",
                "Plazos, importes y autoridades, con el apartado que establece cada uno",
                "المهل والمبالغ والسلطات، مع الفقرة التي تنص على كل منها",
            ],
            Label::Unverified => [
                "NON VERIFICATO: nessuno lo ha controllato sul testo in vigore; non va preso per legge",
                "UNVERIFIED: nobody checked it against the law in force; not to be taken as law",
                "NON VÉRIFIÉ : personne ne l'a contrôlé sur le texte en vigueur ; à ne pas prendre pour la loi",
                "NO VERIFICADO: nadie lo ha comprobado en el texto vigente; no debe tomarse como ley",
                "غير مُتحقَّق منه: لم يراجعه أحد على النص النافذ؛ لا يُؤخذ على أنه القانون",
            ],
            Label::Outdated => [
                "SUPERATO: modificato da una norma successiva; non è il diritto in vigore",
                "OUTDATED: superseded by a later amendment; not the law in force",
                "DÉPASSÉ : remplacé par une modification ultérieure ; ce n'est pas le droit en vigueur",
                "SUPERADO: sustituido por una modificación posterior; no es el derecho vigente",
                "متجاوَز: حلّ محله تعديل لاحق؛ ليس القانون النافذ",
            ],
            Label::VerifiedOn => [
                "Verificato sul testo in vigore al",
                "Verified against the law in force on",
                "Vérifié sur le texte en vigueur au",
                "Verificado en el texto vigente al",
                "تم التحقق منه على النص النافذ في",
            ],
            Label::CheckOutcome => [
                "Confronto con il testo in vigore",
                "Against the text in force",
                "Comparaison avec le texte en vigueur",
                "Comparación con el texto vigente",
                "المقارنة بالنص النافذ",
            ],
            Label::StatedBy => [
                "Stabilito da",
                "Stated by",
                "Fixé par",
                "Establecido por",
                "تنص عليه",
            ],
            Label::CheckFindings => [
                "Verifica della base giuridica",
                "Legal basis check",
                "Vérification de la base juridique",
                "Verificación de la base jurídica",
                "التحقق من الأساس القانوني",
            ],
            Label::NormPage => [
                "Pagina della norma",
                "Norm page",
                "Page de la norme",
                "Página de la norma",
                "صفحة القاعدة",
            ],
            Label::NotFound => [
                "Non trovato",
                "Not found",
                "Introuvable",
                "No encontrado",
                "غير موجود",
            ],
            Label::Found => ["Trovati", "Found", "Trouvés", "Encontrados", "عدد النتائج"],
            Label::SomeWords => [
                "Nessun risultato con tutte le parole: ecco quelli con alcune.",
                "Nothing has every word: these have some of them.",
                "Rien ne contient tous les mots : voici ceux qui en ont certains.",
                "Nada contiene todas las palabras: estos tienen algunas.",
                "لا توجد نتيجة تحتوي كل الكلمات: هذه تحتوي بعضها.",
            ],
            Label::Contents => ["Indice", "Contents", "Sommaire", "Índice", "المحتويات"],
            Label::Amends => [
                "Atti che modifica",
                "Acts it amends",
                "Actes qu'il modifie",
                "Actos que modifica",
                "النصوص التي يعدّلها",
            ],
            Label::AmendedBy => [
                "Modificato da",
                "Amended by",
                "Modifié par",
                "Modificado por",
                "عُدِّل بموجب",
            ],
            Label::Amendments => [
                "Modifiche",
                "Amendments",
                "Modifications",
                "Modificaciones",
                "التعديلات",
            ],
            Label::IntroducedBy => [
                "introdotta da",
                "brought in by",
                "introduite par",
                "introducida por",
                "أُدخلت بموجب",
            ],
            Label::EndedBy => [
                "cessata per",
                "ended by",
                "terminée par",
                "terminada por",
                "انتهت بموجب",
            ],
            Label::InForceThatDay => [
                "in vigore nel giorno scelto",
                "in force on the chosen day",
                "en vigueur le jour choisi",
                "en vigor el día elegido",
                "سارية في اليوم المختار",
            ],
            Label::InAct => ["Atto", "Act", "Acte", "Acto", "القانون"],
        }
    }

    /// The label in `lang`.
    pub fn in_lang(self, lang: Lang) -> &'static str {
        let i = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        self.all()[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_by_q_value_then_order() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_LANGUAGE,
            "de-DE,de;q=0.9,ar;q=0.5,fr-CH;q=0.8"
                .parse()
                .expect("header"),
        );
        assert_eq!(Lang::choose(None, &h), Lang::Fr);
        assert_eq!(Lang::choose(Some("es"), &h), Lang::Es);
        assert_eq!(Lang::choose(Some("xx"), &h), Lang::Fr);
        assert_eq!(Lang::choose(None, &HeaderMap::new()), Lang::It);
    }
}
