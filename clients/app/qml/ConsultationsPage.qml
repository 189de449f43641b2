import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    spacing: Theme.space * 1.5
    Label {
        text: i18n.t("forum:private.title")
        font.pixelSize: Theme.textXl
        font.bold: true
        color: Theme.ink
        Accessible.role: Accessible.Heading
    }
    Label { text: i18n.t("forum:private.intro"); color: Theme.muted; wrapMode: Text.Wrap; Layout.fillWidth: true }
    Label {
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
            Label { text: modelData.subject; font.bold: true; color: Theme.link; wrapMode: Text.Wrap; Layout.fillWidth: true }
            Label { text: modelData.meta; color: Theme.muted; wrapMode: Text.Wrap; Layout.fillWidth: true }
        }
    }
}
