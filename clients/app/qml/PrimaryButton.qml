import QtQuick
import QtQuick.Controls

// The web app's primary button: brand green, white text, a focus ring for the keyboard.
Button {
    id: control
    property bool secondary: false
    Accessible.name: text
    font.pixelSize: Theme.textMd
    padding: 10
    contentItem: Label {
        textFormat: Text.PlainText
        text: control.text
        font: control.font
        color: control.secondary ? Theme.link : Theme.brandText
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    background: Rectangle {
        implicitWidth: 90
        implicitHeight: 38
        radius: Theme.radius
        opacity: control.enabled ? 1 : 0.55
        color: control.secondary ? (control.down ? Theme.surface2 : Theme.surface)
                                 : (control.down || control.hovered ? Theme.brandStrong : Theme.brand)
        border.color: control.visualFocus ? Theme.focus : (control.secondary ? Theme.line : "transparent")
        border.width: control.visualFocus ? 2 : 1
    }
}
