//! Every import points one way: domain ← adapters (store, encryption, audit, auth, objects, …) ←
//! `app` ← `inbox`, and no two modules lean on each other. Read from the source itself (comments and
//! string literals left out), so a new `use crate::app` in an adapter fails here, naming the file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules that sit above `App`: they may use it, and nothing below may use them.
const ABOVE_APP: &[&str] = &["app", "inbox"];

/// Crates that make code about Lambda or AWS rather than about Confide's rules.
const RUNTIME_CRATES: &[&str] = &[
    "aws_sdk_",
    "aws_smithy_",
    "aws_config",
    "aws_db_esdk",
    "aws_lambda_events",
    "lambda_http",
    "lambda_runtime",
];

/// One reference from a file to a module of its own crate.
#[derive(Debug, Clone)]
struct Reference {
    file: PathBuf,
    line: usize,
    module: String,
}

/// The source of a file with comments and the contents of string and char literals blanked out,
/// line breaks kept so line numbers still hold.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            // A raw string: r"…", r#"…"#, with as many hashes closing as opening.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            out.push('"');
            loop {
                match chars.get(j) {
                    None => break,
                    Some('"') if (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) => {
                        j += 1 + hashes;
                        break;
                    }
                    Some(&other) => out.push(blank(other)),
                }
                j += 1;
            }
            out.push('"');
            i = j;
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if let Some(&inner) = chars.get(i) {
                    out.push(blank(inner));
                }
                i += 1;
            }
            out.push('"');
            i += 1;
        } else if c == '\'' && is_char_literal(&chars, i) {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            out.push_str("' '");
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// `'a'`, `'\n'`, `'\u{1F600}'` are char literals; `'a` in `&'a str` is a lifetime.
fn is_char_literal(chars: &[char], i: usize) -> bool {
    matches!(
        (chars.get(i + 1), chars.get(i + 2)),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The first-level modules a file's code names through `crate::`: paths (`crate::store::Store`) and
/// groups (`use crate::{app::App, store}`), nested groups read to their first segment.
fn crate_references(file: &Path, code: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    for (index, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let starts_word = at == 0 || !rest[..at].ends_with(is_ident);
            rest = &rest[at + "crate::".len()..];
            if !starts_word {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                // A group may span lines; read it from the rest of the file.
                let offset = code.lines().take(index).map(|l| l.len() + 1).sum::<usize>()
                    + (line.len() - group.len());
                for (lines_in, module) in group_heads(&code[offset..]) {
                    found.push(Reference {
                        file: file.to_owned(),
                        line: index + 1 + lines_in,
                        module,
                    });
                }
            } else {
                let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
                if !name.is_empty() {
                    found.push(Reference {
                        file: file.to_owned(),
                        line: index + 1,
                        module: name,
                    });
                }
            }
        }
    }
    found
}

/// The first segment of each entry of a `{…}` group that starts at `text` (just past its `{`), with
/// how many lines into the group it stands.
fn group_heads(text: &str) -> Vec<(usize, String)> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut at_entry_start = true;
    let mut lines_in = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => lines_in += 1,
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_entry_start = true,
            c if is_ident(c) && at_entry_start && depth == 0 => {
                let mut name = c.to_string();
                while let Some(&n) = chars.peek() {
                    if !is_ident(n) {
                        break;
                    }
                    name.push(n);
                    chars.next();
                }
                heads.push((lines_in, name));
                at_entry_start = false;
            }
            _ => {}
        }
    }
    heads
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("source directory reads") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The first-level module a file belongs to (`store/contacts.rs` → `store`); `None` for the crate
/// root and for binaries, which stand outside the layers.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    if first == "lib.rs" || first == "main.rs" || first == "bin" {
        return None;
    }
    Some(first.trim_end_matches(".rs").to_owned())
}

/// Every module's references to other first-level modules of its crate.
fn module_graph(src: &Path) -> BTreeMap<String, Vec<Reference>> {
    let mut graph: BTreeMap<String, Vec<Reference>> = BTreeMap::new();
    for file in rust_files(src) {
        let Some(module) = module_of(src, &file) else {
            continue;
        };
        let source = std::fs::read_to_string(&file).expect("source file reads");
        let references: Vec<Reference> = crate_references(&file, &code_only(&source))
            .into_iter()
            .filter(|r| r.module != module && r.module != "self")
            .collect();
        graph.entry(module).or_default().extend(references);
    }
    graph
}

/// A cycle of modules, each naming the next, with the file and line of every step; `None` if the
/// graph is acyclic.
fn find_cycle(graph: &BTreeMap<String, Vec<Reference>>) -> Option<Vec<Reference>> {
    fn visit(
        module: &str,
        graph: &BTreeMap<String, Vec<Reference>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<Reference>,
        on_path: &mut Vec<String>,
    ) -> Option<Vec<Reference>> {
        if let Some(start) = on_path.iter().position(|m| m == module) {
            return Some(path[start..].to_vec());
        }
        if done.contains(module) {
            return None;
        }
        on_path.push(module.to_owned());
        for reference in graph.get(module).into_iter().flatten() {
            path.push(reference.clone());
            if let Some(cycle) = visit(&reference.module, graph, done, path, on_path) {
                return Some(cycle);
            }
            path.pop();
        }
        on_path.pop();
        done.insert(module.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|module| visit(module, graph, &mut done, &mut Vec::new(), &mut Vec::new()))
}

fn describe(references: &[Reference]) -> String {
    references
        .iter()
        .map(|r| format!("  {}:{} uses crate::{}", r.file.display(), r.line, r.module))
        .collect::<Vec<_>>()
        .join("\n")
}

fn shared_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_two_modules_of_shared_lean_on_each_other() {
    let graph = module_graph(&shared_src());
    assert!(graph.len() > 20, "the modules of shared/src were read");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("these modules form a cycle:\n{}", describe(&cycle));
    }
}

#[test]
fn no_two_modules_of_the_local_stack_lean_on_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/local/src");
    let graph = module_graph(&src);
    assert!(graph.len() > 4, "the modules of infra/local/src were read");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("these modules form a cycle:\n{}", describe(&cycle));
    }
}

#[test]
fn the_domain_uses_only_the_domain() {
    let src = shared_src();
    let graph = module_graph(&src);
    let outside: Vec<Reference> = graph["domain"].clone();
    assert!(
        outside.is_empty(),
        "the domain names other modules:\n{}",
        describe(&outside)
    );
    let mut runtime = Vec::new();
    for file in rust_files(&src.join("domain")) {
        let code = code_only(&std::fs::read_to_string(&file).expect("source file reads"));
        for (index, line) in code.lines().enumerate() {
            for krate in RUNTIME_CRATES {
                if line.contains(krate) {
                    runtime.push(format!("  {}:{} names {krate}", file.display(), index + 1));
                }
            }
        }
    }
    assert!(
        runtime.is_empty(),
        "the domain names Lambda or AWS crates:\n{}",
        runtime.join("\n")
    );
}

#[test]
fn no_adapter_uses_the_app_or_what_sits_above_it() {
    let graph = module_graph(&shared_src());
    let upward: Vec<Reference> = graph
        .iter()
        .filter(|(module, _)| !ABOVE_APP.contains(&module.as_str()))
        .flat_map(|(_, references)| references)
        .filter(|r| ABOVE_APP.contains(&r.module.as_str()))
        .cloned()
        .collect();
    assert!(
        upward.is_empty(),
        "adapters name the app or what sits above it:\n{}",
        describe(&upward)
    );
    let app_uses_inbox: Vec<Reference> = graph["app"]
        .iter()
        .filter(|r| r.module == "inbox")
        .cloned()
        .collect();
    assert!(
        app_uses_inbox.is_empty(),
        "the app names the inbox that sits on it:\n{}",
        describe(&app_uses_inbox)
    );
}

/// The reader itself: what it must see and what it must not.
#[test]
fn references_are_read_from_code_not_from_comments_or_strings() {
    let source = r##"
//! See [`crate::app::App`] in a comment.
use crate::{
    store::{Store, Write},
    audit,
};
/* crate::inbox in a block comment */
const S: &str = "crate::reports in a string";
const R: &str = r#"crate::genai in a raw string"#;
fn f<'a>(x: &'a str) -> char { let _ = crate::objects::put; 'c' }
pub(crate) fn g() -> crate::jobs::Job { todo!() }
"##;
    let code = code_only(source);
    let modules: Vec<(usize, String)> = crate_references(Path::new("x.rs"), &code)
        .into_iter()
        .map(|r| (r.line, r.module))
        .collect();
    assert_eq!(
        modules,
        vec![
            (4, "store".to_owned()),
            (5, "audit".to_owned()),
            (10, "objects".to_owned()),
            (11, "jobs".to_owned()),
        ]
    );
}

#[test]
fn a_cycle_is_found_and_named() {
    let reference = |from: &str, to: &str| Reference {
        file: PathBuf::from(format!("{from}.rs")),
        line: 1,
        module: to.to_owned(),
    };
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), vec![reference("a", "b")]);
    graph.insert("b".to_owned(), vec![reference("b", "c")]);
    graph.insert("c".to_owned(), vec![reference("c", "a")]);
    graph.insert("d".to_owned(), vec![reference("d", "a")]);
    let cycle = find_cycle(&graph).expect("a → b → c → a is a cycle");
    let steps: Vec<&str> = cycle.iter().map(|r| r.module.as_str()).collect();
    assert_eq!(steps, vec!["b", "c", "a"]);
    graph.insert("c".to_owned(), vec![]);
    assert!(find_cycle(&graph).is_none());
}
