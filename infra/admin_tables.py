"""
Admin tables whose inputs have accessible names: tabular inlines, and the
editable columns of a change list.

Django names each column of these tables once, in the table's heading; the
inputs below it have no label of their own, which screen readers do not make
up for (axe-core: "label" and "select-name", critical). Each input here gets
its column's label as ``aria-label``, the "Delete" checkbox included, in
every row and in the empty row that "Add another" copies.

Why not a package: django-admin-interface and similar themes restyle the
admin but leave these inputs unnamed; nothing maintained fixes just this.
"""

from django.contrib import admin


def labelled(formset):
    """``formset`` with every visible input of its forms named after its field's label."""

    class LabelledFormSet(formset):
        def add_fields(self, form, index):
            super().add_fields(form, index)
            for field in form.fields.values():
                # A foreign key's select sits inside the admin's "add/change" wrapper.
                widget = getattr(field.widget, "widget", field.widget)
                if not widget.is_hidden:
                    widget.attrs.setdefault("aria-label", str(field.label))

    LabelledFormSet.__name__ = formset.__name__
    return LabelledFormSet


class LabelledTabularInline(admin.TabularInline):
    def get_formset(self, request, obj=None, **kwargs):
        return labelled(super().get_formset(request, obj, **kwargs))


class LabelledListEditableAdmin(admin.ModelAdmin):
    """A ModelAdmin whose ``list_editable`` columns are named."""

    def get_changelist_formset(self, request, **kwargs):
        return labelled(super().get_changelist_formset(request, **kwargs))
