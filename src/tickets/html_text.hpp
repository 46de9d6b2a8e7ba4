#pragma once
// Plain text from a thread's HTML, for callers that show text (`conteudo_texto`).
//
// The HTML is parsed by Gumbo, a full HTML5 parser, so malformed markup is repaired the way a
// browser repairs it and every character reference is decoded. The text follows the spirit of
// a browser's innerText: block elements start new lines, paragraphs and headings are separated
// by a blank line, <br> breaks a line, table cells are separated by a tab and rows by a line,
// list items start with "- " (or "1. " in ordered lists) indented by nesting, <pre> keeps its
// whitespace, script, style, template and head contents are dropped, and elsewhere whitespace
// runs collapse to one space. Text before the `max_tags`+1-th '<' only is rendered (see
// core::Limits::max_text_html_tags). Pure function; thread-safe.

#include <string>
#include <string_view>

#include "core/config.hpp"

namespace deskbridge::tickets {

std::string html_to_text(std::string_view html,
                         std::size_t max_tags = core::Limits{}.max_text_html_tags);

}  // namespace deskbridge::tickets
