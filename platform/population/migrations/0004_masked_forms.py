"""Stored masked display forms of the ID number and phone; 0005 fills them for existing rows."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('population', '0003_stats_and_name_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='id_masked',
            field=models.CharField(default='', editable=False, max_length=18, verbose_name='脱敏身份证号'),
        ),
        migrations.AddField(
            model_name='person',
            name='phone_masked',
            field=models.CharField(blank=True, default='', editable=False, max_length=16, verbose_name='脱敏电话'),
        ),
    ]
