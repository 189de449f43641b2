import QtQuick
import QtTest
import HealthTech

// The small parts every screen uses: a banner says what happened and can be dismissed, a
// clickable card works from the keyboard, buttons carry their words for screen readers.
Item {
    id: root
    width: 600
    height: 400

    Component { id: bannerComponent; Banner { width: 500 } }
    Component { id: cardComponent; Card { width: 500; clickable: true } }
    Component { id: buttonComponent; PrimaryButton { text: "Book for ₹800" } }
    Component { id: spyComponent; SignalSpy {} }

    TestCase {
        name: "Components"
        when: windowShown

        function test_banner() {
            var b = createTemporaryObject(bannerComponent, root, { text: "" })
            verify(!b.visible)
            compare(b.implicitHeight, 0)
            b.text = "That time was just taken."
            verify(b.visible)
            verify(b.implicitHeight > 0)
            compare(b.Accessible.name, "That time was just taken.")
            compare(b.Accessible.role, Accessible.AlertMessage)
            var spy = createTemporaryObject(spyComponent, root, { target: b, signalName: "dismissed" })
            var close = null
            for (var i = 0; i < b.children.length; ++i)
                for (var j = 0; j < b.children[i].children.length; ++j)
                    if (b.children[i].children[j].text === "×") close = b.children[i].children[j]
            verify(close)
            mouseClick(close)
            compare(spy.count, 1)
        }

        function test_card_from_the_keyboard() {
            var c = createTemporaryObject(cardComponent, root)
            var spy = createTemporaryObject(spyComponent, root, { target: c, signalName: "clicked" })
            verify(c.activeFocusOnTab)
            c.forceActiveFocus()
            keyClick(Qt.Key_Return)
            keyClick(Qt.Key_Space)
            compare(spy.count, 2)
            compare(c.border.width, 2)  // the focus ring
            mouseClick(c)
            compare(spy.count, 3)
        }

        function test_button_words() {
            var b = createTemporaryObject(buttonComponent, root)
            compare(b.contentItem.text, "Book for ₹800")
            compare(b.Accessible.name, "Book for ₹800")
        }
    }
}
