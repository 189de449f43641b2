import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// An error, a notice or the offline state, read out by screen readers when it appears.
Rectangle {
    id: banner
    property string text
    property string kind: "error"  // error | notice | warning
    signal dismissed()
    visible: text.length > 0
    Layout.fillWidth: true
    implicitHeight: visible ? row.implicitHeight + 2 * Theme.space : 0
    radius: Theme.radius
    color: kind === "error" ? Theme.dangerSurface : kind === "warning" ? Theme.warningSurface : Theme.successSurface
    border.color: kind === "error" ? Theme.danger : kind === "warning" ? Theme.warningLine : Theme.successLine
    Accessible.role: Accessible.AlertMessage
    Accessible.name: text
    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: Theme.space
        Label {
            textFormat: Text.PlainText
            text: banner.text
            wrapMode: Text.Wrap
            color: Theme.ink
            font.pixelSize: Theme.textMd
            Layout.fillWidth: true
        }
        ToolButton {
            visible: banner.kind !== "warning"
            text: "×"
            Accessible.name: typeof i18n !== "undefined" ? i18n.t("common:dismiss") : "Dismiss"
            onClicked: banner.dismissed()
        }
    }
}
