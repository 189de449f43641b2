import QtQuick
import QtQuick.Controls

// A small bordered choice: a free time, a tab.
Button {
    id: control
    property bool selected: false
    Accessible.name: text
    font.pixelSize: Theme.textSm
    padding: 6
    leftPadding: 10
    rightPadding: 10
    contentItem: Label {
        textFormat: Text.PlainText
        text: control.text
        font: control.font
        color: control.selected ? Theme.brandText : Theme.link
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
    }
    background: Rectangle {
        implicitHeight: 30
        radius: 15
        color: control.selected ? Theme.brand : (control.hovered ? Theme.avatar : Theme.surface)
        border.color: control.visualFocus ? Theme.focus : Theme.line
        border.width: control.visualFocus ? 2 : 1
    }
}
