#include "tickets/html_text.hpp"

#include <gumbo.h>

#include <memory>
#include <vector>

namespace deskbridge::tickets {
namespace {

enum class Kind { kInline, kSkip, kLine, kParagraph };

Kind kind_of(GumboTag tag) {
    switch (tag) {
        case GUMBO_TAG_SCRIPT:
        case GUMBO_TAG_STYLE:
        case GUMBO_TAG_HEAD:
        case GUMBO_TAG_TEMPLATE:
        case GUMBO_TAG_NOSCRIPT:
        case GUMBO_TAG_IFRAME:
        case GUMBO_TAG_OBJECT:
            return Kind::kSkip;
        case GUMBO_TAG_P:
        case GUMBO_TAG_H1:
        case GUMBO_TAG_H2:
        case GUMBO_TAG_H3:
        case GUMBO_TAG_H4:
        case GUMBO_TAG_H5:
        case GUMBO_TAG_H6:
        case GUMBO_TAG_BLOCKQUOTE:
        case GUMBO_TAG_PRE:
            return Kind::kParagraph;
        case GUMBO_TAG_DIV:
        case GUMBO_TAG_UL:
        case GUMBO_TAG_OL:
        case GUMBO_TAG_LI:
        case GUMBO_TAG_DL:
        case GUMBO_TAG_DT:
        case GUMBO_TAG_DD:
        case GUMBO_TAG_TABLE:
        case GUMBO_TAG_TR:
        case GUMBO_TAG_CAPTION:
        case GUMBO_TAG_HR:
        case GUMBO_TAG_SECTION:
        case GUMBO_TAG_ARTICLE:
        case GUMBO_TAG_HEADER:
        case GUMBO_TAG_FOOTER:
        case GUMBO_TAG_NAV:
        case GUMBO_TAG_ASIDE:
        case GUMBO_TAG_MAIN:
        case GUMBO_TAG_ADDRESS:
        case GUMBO_TAG_FIGURE:
        case GUMBO_TAG_FIGCAPTION:
        case GUMBO_TAG_FORM:
        case GUMBO_TAG_FIELDSET:
        case GUMBO_TAG_CENTER:
            return Kind::kLine;
        default:
            return Kind::kInline;
    }
}

// Accumulates text with deferred separators, so that breaks and spaces never pile up and
// the result has no leading or trailing blank space.
class TextWriter {
  public:
    void text(std::string_view s, bool keep_whitespace) {
        for (const char c : s) {
            const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
            if (keep_whitespace && c == '\n') {
                flush();
                out_ += '\n';
            } else if (space && !keep_whitespace) {
                space_ = true;
            } else {
                flush();
                out_ += space ? ' ' : c;
            }
        }
    }
    // Emitted as is, after any pending break (a list marker, a cell tab).
    void raw(std::string_view s) {
        flush();
        out_ += s;
    }
    void line_break(int lines) {
        breaks_ = std::max(breaks_, lines);
        space_ = false;
    }
    void hard_break() {
        flush();
        out_ += '\n';
        space_ = false;
    }
    std::string finish() {
        while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\n')) {
            out_.pop_back();
        }
        return std::move(out_);
    }

  private:
    void flush() {
        if (breaks_ > 0 && !out_.empty()) {
            while (!out_.empty() && out_.back() == ' ') {
                out_.pop_back();
            }
            int have = 0;
            for (auto it = out_.rbegin(); it != out_.rend() && *it == '\n' && have < 2; ++it) {
                ++have;
            }
            out_.append(static_cast<std::size_t>(std::max(0, breaks_ - have)), '\n');
        } else if (space_ && !out_.empty() && out_.back() != '\n' && out_.back() != '\t') {
            out_ += ' ';
        }
        breaks_ = 0;
        space_ = false;
    }

    std::string out_;
    int breaks_ = 0;
    bool space_ = false;
};

struct Frame {
    const GumboNode* node;
    unsigned next_child = 0;
    int list_number = 0;  // items seen so far, for an ordered list
};

class Renderer {
  public:
    std::string render(const GumboNode* root) {
        // An explicit stack: markup nested thousands deep costs heap, never the call stack.
        stack_.push_back({root});
        while (!stack_.empty()) {
            Frame& f = stack_.back();
            const GumboVector& children = f.node->type == GUMBO_NODE_ELEMENT
                                              ? f.node->v.element.children
                                              : f.node->v.document.children;
            if (f.next_child >= children.length) {
                leave(f.node);
                stack_.pop_back();
                continue;
            }
            const auto* child = static_cast<const GumboNode*>(children.data[f.next_child++]);
            visit(child);
        }
        return out_.finish();
    }

  private:
    void visit(const GumboNode* n) {
        switch (n->type) {
            case GUMBO_NODE_TEXT:
            case GUMBO_NODE_CDATA:
            case GUMBO_NODE_WHITESPACE:
                out_.text(n->v.text.text, pre_depth_ > 0);
                return;
            case GUMBO_NODE_ELEMENT:
            case GUMBO_NODE_TEMPLATE:
                break;
            default:
                return;  // comments and the document node's siblings carry no text
        }
        const GumboTag tag = n->v.element.tag;
        const Kind kind = n->type == GUMBO_NODE_TEMPLATE ? Kind::kSkip : kind_of(tag);
        if (kind == Kind::kSkip) {
            return;
        }
        if (tag == GUMBO_TAG_BR) {
            return out_.hard_break();
        }
        if (kind != Kind::kInline) {
            out_.line_break(kind == Kind::kParagraph ? 2 : 1);
        }
        if (tag == GUMBO_TAG_PRE) {
            ++pre_depth_;
        } else if (tag == GUMBO_TAG_LI) {
            list_item();
        } else if ((tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) && cell_has_previous(n)) {
            out_.raw("\t");
        } else if (tag == GUMBO_TAG_IMG) {
            image(n);
        }
        if (tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL) {
            ++list_depth_;
        }
        stack_.push_back({n});
    }

    void leave(const GumboNode* n) {
        if (n->type != GUMBO_NODE_ELEMENT) {
            return;
        }
        const GumboTag tag = n->v.element.tag;
        const Kind kind = kind_of(tag);
        if (tag == GUMBO_TAG_PRE) {
            --pre_depth_;
        } else if (tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL) {
            --list_depth_;
        }
        if (kind != Kind::kInline) {
            out_.line_break(kind == Kind::kParagraph ? 2 : 1);
        }
    }

    void list_item() {
        // The innermost list decides the marker; an item outside any list gets a dash.
        Frame* list = nullptr;
        for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
            const GumboNode* n = it->node;
            if (n->type == GUMBO_NODE_ELEMENT &&
                (n->v.element.tag == GUMBO_TAG_UL || n->v.element.tag == GUMBO_TAG_OL)) {
                list = &*it;
                break;
            }
        }
        std::string marker(static_cast<std::size_t>(std::max(0, list_depth_ - 1)) * 2, ' ');
        if (list != nullptr && list->node->v.element.tag == GUMBO_TAG_OL) {
            marker += std::to_string(++list->list_number) + ". ";
        } else {
            marker += "- ";
        }
        out_.raw(marker);
    }

    void image(const GumboNode* n) {
        const GumboAttribute* alt = gumbo_get_attribute(&n->v.element.attributes, "alt");
        if (alt != nullptr && alt->value[0] != '\0') {
            out_.text(alt->value, false);
        }
    }

    static bool cell_has_previous(const GumboNode* cell) {
        const GumboNode* row = cell->parent;
        if (row == nullptr || row->type != GUMBO_NODE_ELEMENT) {
            return false;
        }
        const GumboVector& siblings = row->v.element.children;
        for (unsigned i = 0; i < cell->index_within_parent && i < siblings.length; ++i) {
            const auto* s = static_cast<const GumboNode*>(siblings.data[i]);
            if (s->type == GUMBO_NODE_ELEMENT &&
                (s->v.element.tag == GUMBO_TAG_TD || s->v.element.tag == GUMBO_TAG_TH)) {
                return true;
            }
        }
        return false;
    }

    TextWriter out_;
    std::vector<Frame> stack_;
    int pre_depth_ = 0;
    int list_depth_ = 0;
};

}  // namespace

std::string html_to_text(std::string_view html, std::size_t max_tags) {
    std::size_t tags = 0;
    for (std::size_t i = html.find('<'); i != std::string_view::npos; i = html.find('<', i + 1)) {
        if (++tags > max_tags) {
            html = html.substr(0, i);
            break;
        }
    }
    if (html.empty()) {
        return {};
    }

    // Gumbo keeps a copy of the open-element stack with every parse error, which makes deeply
    // nested input quadratic in memory; the errors are of no use here.
    static const GumboOptions kOptions = [] {
        GumboOptions o = kGumboDefaultOptions;
        o.max_errors = 0;
        return o;
    }();
    const std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> parsed(
        gumbo_parse_with_options(&kOptions, html.data(), html.size()),
        [](GumboOutput* o) { gumbo_destroy_output(&kOptions, o); });
    if (!parsed) {
        return {};
    }
    return Renderer().render(parsed->document);
}

}  // namespace deskbridge::tickets
