#include "tickets/html_text.hpp"

#include <gtest/gtest.h>

namespace deskbridge::tickets {
namespace {

TEST(HtmlText, ParagraphsAndBreaks) {
    EXPECT_EQ(html_to_text("<p>Olá Ana,</p><p>segue a nota.<br>Obrigado</p>"),
              "Olá Ana,\n\nsegue a nota.\nObrigado");
    EXPECT_EQ(html_to_text("<div>um</div><div>dois</div>três"), "um\ndois\ntrês");
    EXPECT_EQ(html_to_text("a<br><br>b"), "a\n\nb");
}

TEST(HtmlText, WhitespaceCollapsesOutsidePre) {
    EXPECT_EQ(html_to_text("  <div>\n  muitos    espaços\n\t aqui </div>  "),
              "muitos espaços aqui");
    EXPECT_EQ(html_to_text("<b>negrito</b><i> e </i>itálico"), "negrito e itálico");
    EXPECT_EQ(html_to_text("<p>antes</p><pre>  linha 1\n    linha 2</pre><p>depois</p>"),
              "antes\n\n  linha 1\n    linha 2\n\ndepois");
}

TEST(HtmlText, EntitiesAreDecoded) {
    EXPECT_EQ(html_to_text("R$&nbsp;10 &amp; 5 &lt;b&gt; &eacute; &#233; &#x00E9; &quot;x&quot;"),
              "R$\u00a010 & 5 <b> é é é \"x\"");
    // A bare ampersand and an unknown entity stay as written, like a browser shows them.
    EXPECT_EQ(html_to_text("A & B &naoexiste;"), "A & B &naoexiste;");
}

TEST(HtmlText, ScriptsStylesAndHeadAreDropped) {
    EXPECT_EQ(html_to_text("<html><head><title>T</title><style>p{color:red}</style></head>"
                           "<body><script>alert('x')</script><p>texto</p>"
                           "<noscript>sem js</noscript><template><p>molde</p></template>"
                           "</body></html>"),
              "texto");
    // An unclosed script swallows the rest of the document, as in a browser.
    EXPECT_EQ(html_to_text("visível<script>var a = '<p>oculto</p>';"), "visível");
    EXPECT_EQ(html_to_text("a<!-- comentário -->b"), "ab");
}

TEST(HtmlText, Lists) {
    EXPECT_EQ(html_to_text("<p>Itens:</p><ul><li>um</li><li>dois<ol><li>a</li><li>b</li></ol>"
                           "</li><li>três</li></ul>fim"),
              "Itens:\n\n- um\n- dois\n  1. a\n  2. b\n- três\nfim");
    EXPECT_EQ(html_to_text("<li>solto</li>"), "- solto");
}

TEST(HtmlText, NestedTables) {
    EXPECT_EQ(html_to_text("<table><tr><th>Pedido</th><th>NF</th></tr>"
                           "<tr><td>70001</td><td><table><tr><td>67890</td><td>x</td></tr>"
                           "<tr><td>67891</td></tr></table></td></tr></table>depois"),
              "Pedido\tNF\n70001\t\n67890\tx\n67891\ndepois");
}

TEST(HtmlText, MalformedMarkupIsRepaired) {
    EXPECT_EQ(html_to_text("<p>aberto<p>outro<div>bloco</span> solto</div"),
              "aberto\n\noutro\n\nbloco solto");
    EXPECT_EQ(html_to_text("<b><i>cruzado</b> fora</i>"), "cruzado fora");
    EXPECT_EQ(html_to_text("texto < 5 e > 3"), "texto < 5 e > 3");
    EXPECT_EQ(html_to_text("<p attr=\"sem fim>quebrado</p>"), "");
}

TEST(HtmlText, ImagesShowTheirAltText) {
    EXPECT_EQ(html_to_text("Veja <img src=\"x.png\" alt=\"a foto\"> e <img src=\"y.png\">."),
              "Veja a foto e .");
}

TEST(HtmlText, EmptyAndPlainInput) {
    EXPECT_EQ(html_to_text(""), "");
    EXPECT_EQ(html_to_text("   \n "), "");
    EXPECT_EQ(html_to_text("só texto"), "só texto");
}

TEST(HtmlText, DeepNestingIsRendered) {
    std::string html;
    for (int i = 0; i < 5000; ++i) {
        html += "<div><span>";
    }
    EXPECT_EQ(html_to_text(html + "fundo"), "fundo");
}

TEST(HtmlText, OnlyTheFirstTagsAreRendered) {
    EXPECT_EQ(html_to_text("<p>um</p><p>dois</p><p>três</p>", 4), "um\n\ndois");
    // Nesting far deeper than the stack could take stops at the tag limit instead.
    std::string html = "início";
    for (int i = 0; i < 500000; ++i) {
        html += "<span>";
    }
    EXPECT_EQ(html_to_text(html + "fundo"), "início");
}

}  // namespace
}  // namespace deskbridge::tickets
