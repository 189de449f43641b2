import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    spacing: Theme.space * 1.5
    Label {
        textFormat: Text.PlainText
        text: i18n.t("forum:private.title")
        font.pixelSize: Theme.textXl
        font.bold: true
        color: Theme.ink
        Accessible.role: Accessible.Heading
    }
    Label { textFormat: Text.PlainText; text: i18n.t("forum:private.intro"); color: Theme.muted; wrapMode: Text.Wrap; Layout.fillWidth: true }
    Label {
        textFormat: Text.PlainText
        visible: app.busy === 0 && app.consultations.length === 0
        text: i18n.t("forum:private.empty")
        color: Theme.muted
        wrapMode: Text.Wrap
        Layout.fillWidth: true
    }
    Repeater {
        model: app.consultations
        delegate: Card {
            required property var modelData
            objectName: "consultationCard"
            clickable: true
            onClicked: app.openConsultation(modelData.id)
            Accessible.role: Accessible.Button
            Accessible.name: modelData.subject + ", " + modelData.meta
            Label { textFormat: Text.PlainText; text: modelData.subject; font.bold: true; color: Theme.link; wrapMode: Text.Wrap; Layout.fillWidth: true }
            Label { textFormat: Text.PlainText; text: modelData.meta; color: Theme.muted; wrapMode: Text.Wrap; Layout.fillWidth: true }
        }
    }
}
